from newscli.main import main

if __name__ == "__main__":  # not when multiprocessing loads this script again to start a helper process
    main()
