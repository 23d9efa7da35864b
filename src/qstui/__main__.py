from qstui.cli.main import main

main()
