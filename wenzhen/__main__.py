"""``python -m wenzhen …`` runs the ``wenzhen`` command line (also under ``accelerate launch -m wenzhen``)."""

from wenzhen.api.cli import app

if __name__ == "__main__":
    app(prog_name="wenzhen")
