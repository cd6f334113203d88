"""``python -m beans`` runs the beans command line."""

from .cli.app import main

if __name__ == "__main__":
    main()
