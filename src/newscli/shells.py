"""The completion scripts newscli gives the shells: click's, made to quote what they insert.

Loaded only when a shell asks (`_NEWSCLI_COMPLETE` is set), registered over click's own.
"""

from __future__ import annotations

from click.shell_completion import BashComplete, FishComplete, add_completion_class


class _QuotingBash(BashComplete):
    """click's bash completion, with each value quoted for the shell as it goes in (`printf %q`).

    click's own script adds `$value` unquoted: an outlet named `Gazette$(touch /tmp/x)` was put
    on the command line as it is, and ran when Enter was pressed; `Evil*` was glob-expanded.
    zsh's script quotes already; fish escapes what it inserts (its split on "," is kept to one).
    """

    source_template = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response

    response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD %(complete_var)s=bash_complete $1)

    local completion type value
    while IFS= read -r completion; do  # a line at a time: no word split, no glob
        [[ -z $completion ]] && continue
        IFS=',' read -r type value <<< "$completion"

        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=("$(printf '%%q' "$value")")
        fi
    done <<< "$response"

    return 0
}

%(complete_func)s_setup() {
    complete -o nosort -F %(complete_func)s %(prog_name)s
}

%(complete_func)s_setup;
"""


class _WholeFish(FishComplete):
    source_template = FishComplete.source_template.replace(
        '(string split "," $completion)', '(string split -m1 "," $completion)'
    )


add_completion_class(_QuotingBash, "bash")
add_completion_class(_WholeFish, "fish")
