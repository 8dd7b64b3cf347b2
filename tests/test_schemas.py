"""The committed JSON Schemas must be exactly what the pydantic models generate."""

from summarizer.schema_files import check_schema_files, rendered_schemas


def test_committed_schemas_match_the_models() -> None:
    stale = check_schema_files()
    assert stale == [], f"schemas/ drifted from summarizer/schema.py: {stale}; run `summarizer schemas`"


def test_a_changed_schema_file_is_detected(tmp_path) -> None:
    for name, text in rendered_schemas().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    victim = sorted(rendered_schemas())[0]
    (tmp_path / victim).write_text("{}\n", encoding="utf-8")
    assert check_schema_files(tmp_path) == [victim]
