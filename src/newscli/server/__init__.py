"""The resident index process: one per index folder, holding the index open and current.

Read commands ask it over a Unix socket when it runs and answer in their own
process otherwise, with the same output. One concern a module: `resident` (where
its socket, lock and log live), `wire` (messages on the socket), `reach` (asking and starting
it), `daemon` (the process itself), `callers`, `answer` (one command run for a
caller, in a process forked for it), `warm` (the spare), `learning` and `watch`
(the archive's folders). The command line's way in is `newscli.main`.
"""
