from newscli.server.client import main

main()
