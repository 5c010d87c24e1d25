from newscli.cli import cli

cli(prog_name="newscli")
