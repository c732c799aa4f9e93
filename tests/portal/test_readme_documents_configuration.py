import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_the_settings_read_is_in_the_readme_table():
    settings_source = (ROOT / "advocacy" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z0-9_]+)"', settings_source))
    missing = sorted(name for name in read if f"`{name}`" not in readme)
    assert not missing, f"Document these in README.md's configuration table: {missing}"
