"""How a listing becomes the model's blocks: segmentation, negation marking, digits, tracing."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from saring.classifier.features import (
    MAX_SEGMENT_WORDS,
    SEGMENT_MARK,
    TITLE_MARK,
    model_input,
    pack_batch,
    title_windows,
    traced_input,
    word_spans,
)


def test_title_then_one_block_per_line_and_sentence() -> None:
    item = model_input("Kaos Polos", "Halo kak! Ready stock.\nBahan katun, harga Rp 35.000/pcs. Terima kasih")
    assert item.texts == ("kaos polos", "halo kak!", "ready stock.", "bahan katun, harga rp 00.000/pcs.",
                          "terima kasih")
    assert item.tokens[0][0] == TITLE_MARK and all(tokens[0] == SEGMENT_MARK for tokens in item.tokens[1:])


def test_split_letters_and_decimals_are_not_sentence_ends() -> None:
    assert model_input("", "t.h.r.i.f.t ex Jepang. Harga 35.000").texts[1:] == ("thrift ex jepang.", "harga 00.000")


def test_long_sentences_are_cut_into_runs_of_bounded_words() -> None:
    words = " ".join(f"kata{i}" for i in range(3 * MAX_SEGMENT_WORDS + 5))
    blocks = model_input("t", words).texts[1:]
    assert len(blocks) == 4
    assert all(len(word_spans(block)) <= MAX_SEGMENT_WORDS for block in blocks)
    assert " ".join(blocks) == model_input("t", words).texts[1] + " " + " ".join(blocks[1:])


def test_price_and_category_are_not_read() -> None:
    assert model_input("Jaket", "Bahan parasut") == model_input("Jaket", "Bahan parasut")
    assert pack_batch([model_input("Jaket")])["index"].shape == (1, 12)


def test_a_title_of_more_than_three_words_is_also_read_as_its_runs_of_three() -> None:
    text = model_input("Kemeja Flanel Pria, Bekas Impor").texts[0]
    windows = title_windows(text, 3)
    assert [text[start:end] for start, end, _, _ in windows] == [
        "kemeja flanel pria", "flanel pria, bekas", "pria, bekas impor"]
    tokens = model_input("Kemeja Flanel Pria, Bekas Impor").tokens[0]
    assert [tokens[1 + first : 1 + last] for _, _, first, last in windows][-1] == ("pria", "bekas", "impor")
    assert title_windows(model_input("Kaos Bekas Impor").texts[0], 3) == []
    assert title_windows("", 3) == [] and title_windows(text, 0) == []
    feeds = pack_batch([model_input("Kemeja Flanel Pria, Bekas Impor")], window_words=3)
    assert feeds["owner"].tolist() == [-1, -2, -2, -2] and feeds["index"].shape == (4, 12)
    assert pack_batch([model_input("Kemeja Flanel Pria, Bekas Impor")])["owner"].tolist() == [-1]


def test_negated_words_are_features_of_their_own_to_the_end_of_the_clause() -> None:
    item = model_input("100% baru, bukan barang thrift atau bekas impor. Ini thrift")
    assert item.texts[0] == "000% baru, bukan BARANG THRIFT ATAU BEKAS IMPOR. ini thrift"
    tokens = item.tokens[0]
    assert tokens[1:] == ("000", "baru", "bukan", "~barang", "~thrift", "~atau", "~bekas", "~impor", "ini", "thrift")
    assert model_input("bukan barang baru").tokens[0][1:] == ("bukan", "~barang", "~baru")
    assert model_input("kaos polos").tokens[0][1:] == ("kaos", "polos")


def test_a_slash_lists_what_is_negated_and_a_prefix_negates_one_word() -> None:
    assert model_input("baru, bukan thrift/preloved/bekas impor").texts[0] == "baru, bukan THRIFT/PRELOVED/BEKAS IMPOR"
    assert model_input("Kemeja Anti Kusut bekas impor").texts[0] == "kemeja anti KUSUT bekas impor"
    assert model_input("anti thrift, no second").tokens[0][1:] == ("anti", "~thrift", "no", "~second")


def test_in_a_title_a_negation_covers_the_next_word_then_only_words_of_what_the_ban_is_about() -> None:
    assert model_input("Tidak Nerawang Kaos bekas impor").texts[0] == "tidak NERAWANG kaos bekas impor"
    assert model_input("Kaos polos bukan barang bekas impor ex Jepang").texts[0] == (
        "kaos polos bukan BARANG BEKAS IMPOR EX JEPANG")
    assert model_input("Kaos bekas impor bukan barang baru").tokens[0][-3:] == ("bukan", "~barang", "~baru")
    # a description has punctuation: the clause ends there, or after five words
    assert model_input("x", "Tidak nerawang kaos bekas impor").texts[1] == "tidak NERAWANG KAOS BEKAS IMPOR"
    assert model_input("kaos bukn thrift").texts[0] == "kaos bukn THRIFT"


def test_digits_read_as_zero_one_for_one() -> None:
    item = model_input("Size 42 LD 108", "kondisi 95%")
    assert item.texts == ("size 00 ld 000", "kondisi 00%")


def test_traced_blocks_are_the_model_blocks_and_point_at_the_sellers_words() -> None:
    description = "Halo kak 🙏\nIni barang ᴛʜʀɪꜰᴛ ya. Kondisi 90%."
    traced = traced_input("Jaket THR1FT", description)
    assert traced.texts == model_input("Jaket THR1FT", description).texts
    title, thrift_block = traced.blocks[0], traced.blocks[2]
    start = title.text.index("thrift")
    assert title.original(start, start + 6) == "THR1FT"
    start = thrift_block.text.index("thrift")
    assert thrift_block.original(start, start + 6) == "ᴛʜʀɪꜰᴛ"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.text(max_size=400))
def test_tracing_agrees_with_the_model_on_any_text(title: str, description: str) -> None:
    assert traced_input(title, description).texts == model_input(title, description).texts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=80), st.text(max_size=120)), min_size=1, max_size=6),
       st.integers(min_value=1, max_value=4))
def test_windows_found_in_the_packed_batch_are_each_titles_own(listings, size) -> None:
    from saring.classifier import features

    items = [model_input(title, description) for title, description in listings]
    texts = [text for item in items for text in item.texts]
    feeds = features._pack_blocks(texts, [tokens for item in items for tokens in item.tokens])
    titles = np.cumsum([0] + [len(item.texts) for item in items[:-1]])
    listing, block, table = features._packed_title_windows(feeds, titles, size)
    expected = [(k, titles[k], *window) for k, item in enumerate(items) for window in title_windows(item.texts[0], size)]
    assert [(int(a), int(b), *map(int, row)) for a, b, row in zip(listing, block, table, strict=True)] == expected
