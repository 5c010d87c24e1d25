"""The command line's commands beyond the read commands of cli.py: `feeds` and `fetch`; `read`, `mark`,
`saved` and `state`; `server`. Each is a thin click layer over the core, as cli.py is."""
