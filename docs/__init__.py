"""The manual's pages, shipped inside newscli as `newscli.docs`: `newscli help` and the man pages read them."""
