"""`make bench` says what it did not measure, and why, instead of leaving a figure out."""

from bench.run import not_measured


def test_skipped_sections_and_stand_in_data_are_named_with_their_reason():
    lines = not_measured({
        "classifier": {"source": "synthetic", "batch": {}},
        "scan": {"skipped": "reference data absent: /x/shared/data/real_titles_dev.jsonl"},
        "lambda_packages": {"skipped": "no python3.12 with pip"},
    })  # fmt: skip
    assert "skipped scan: reference data absent: /x/shared/data/real_titles_dev.jsonl" in lines
    assert "skipped lambda_packages: no python3.12 with pip" in lines
    assert any(line.startswith("classifier throughput measured on generated") for line in lines)
    assert any("docs/reference-data.md" in line for line in lines)


def test_a_full_run_names_nothing():
    assert not_measured({"classifier": {"source": "real_titles"}, "scan": {"rounds": []}}) == []
