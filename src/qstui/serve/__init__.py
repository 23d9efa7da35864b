"""``qstui serve``: the application in a browser tab, behind a login the server checks
itself before it starts a session's process (textual-serve runs the terminal)."""
