"""The resident index process: one per index folder, holding the index open and current.

Read commands ask it over a Unix socket when it runs and answer in their own
process otherwise, with the same output. One concern a module: `place` (where
its socket lives), `wire` (messages on the socket), `client` (the command
line's fast way in), `daemon` (the process itself), `answer` (one command run
for a caller, in a process forked for it) and `watch` (the archive's folders).
"""
