// Options shared by the commands that select Mozilla roots.
