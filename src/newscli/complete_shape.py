"""The commands as shell completion sees them, for `complete.quick`: made by `complete.shape(cli)`.

tests/test_complete.py checks it against the commands; after changing a command's options, print
`newscli.complete.shape(newscli.cli.cli)` and put it here.
"""

from __future__ import annotations

GLOBAL: dict[str, bool] = {
    "--index-dir": True,
    "--config": True,
    "--color": True,
    "--no-server": False,
    "-v": False,
    "--verbose": False,
    "--version": False,
    "--help": False,
}  # the global options: whether each takes a value

SHAPE: dict[str, dict[str, object]] = {
    "alerts": {
        "options": {"--limit": ""},
        "flags": ["--json", "--seen", "--help"],
        "arguments": ["saved_names"],
        "more": True,
    },
    "export": {
        "options": {
            "--format": "",
            "-f": "",
            "-o": "",
            "--output": "",
            "--source": "outlets",
            "--since": "",
            "--until": "",
            "--lang": "",
            "--label": "labels",
            "--sort": "",
        },
        "flags": ["--no-text", "--raw", "--starred", "--unread", "--help"],
        "arguments": ["queries"],
        "more": False,
    },
    "list": {
        "options": {
            "--source": "outlets",
            "--since": "",
            "--until": "",
            "--lang": "",
            "--limit": "",
            "--label": "labels",
            "--sort": "",
        },
        "flags": ["--json", "--starred", "--unread", "--help"],
        "arguments": [],
        "more": False,
    },
    "mark": {
        "options": {
            "--source": "outlets",
            "--since": "",
            "--until": "",
            "--lang": "",
            "--label": "labels",
            "--unlabel": "labels",
        },
        "flags": ["--all", "--read", "--star", "--unread", "--unstar", "--help"],
        "arguments": ["articles_or_queries"],
        "more": True,
    },
    "read": {
        "options": {"--source": "outlets", "--lang": ""},
        "flags": ["--help"],
        "arguments": ["queries"],
        "more": False,
    },
    "related": {"options": {"--limit": ""}, "flags": ["--json", "--help"], "arguments": ["article_ids"], "more": False},
    "search": {
        "options": {
            "--source": "outlets",
            "--since": "",
            "--until": "",
            "--lang": "",
            "--limit": "",
            "--sort": "",
            "--page": "",
            "--label": "labels",
        },
        "flags": [
            "--all",
            "--expand",
            "--explain",
            "--facets",
            "--json",
            "--starred",
            "--stories",
            "--unread",
            "--help",
        ],
        "arguments": ["queries"],
        "more": False,
    },
    "show": {
        "options": {},
        "flags": ["--json", "--no-pager", "--raw", "--help"],
        "arguments": ["article_ids"],
        "more": False,
    },
    "stories": {
        "options": {
            "--source": "outlets",
            "--since": "",
            "--until": "",
            "--lang": "",
            "--limit": "",
            "--label": "labels",
        },
        "flags": ["--json", "--starred", "--unread", "--help"],
        "arguments": ["queries"],
        "more": False,
    },
    "story": {"options": {}, "flags": ["--explain", "--json", "--help"], "arguments": ["article_ids"], "more": False},
    "timeline": {
        "options": {"--by": "", "--source": "outlets", "--since": "", "--until": "", "--lang": "", "--label": "labels"},
        "flags": ["--json", "--starred", "--unread", "--help"],
        "arguments": ["queries"],
        "more": False,
    },
}
