"""What the project's management commands share."""
from django.core.management.base import BaseCommand


class TranslatedCommand(BaseCommand):
    """A command whose `help` is translated (gettext_lazy), like its messages.

    argparse formats the description with re.sub, which takes only a real str: the lazy text is turned into
    one when the parser is made (the arguments' lazy help texts are formatted with %, which works as it is).
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
