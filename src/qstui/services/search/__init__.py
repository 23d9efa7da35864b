"""Find anything (ctrl+p): the search and the word index it reads."""
