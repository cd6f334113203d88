"""``python -m cli`` runs the beans command line."""

from cli.app import main

main()
