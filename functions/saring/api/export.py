"""Prints the schema's SDL: `python -m saring.api.export > graphql/schema.graphql`."""

from saring.api.schema import build_schema
from saring.settings import Settings

if __name__ == "__main__":
    print(build_schema(Settings()).as_str())
