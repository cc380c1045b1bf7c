"""Local stand-ins for the outside world in tests: a feed server and a language-model server on 127.0.0.1."""
