from cskpi.cli import main

main()
