"""Deterministic synthetic training corpus for the listing classifier, plus the real-title splits.

Positives (label 1) are imported used clothing, shoes and bags sold as a trade: explicit terms,
bale / sack trade, euphemisms, regional names, English, and listings with implicit signals only.
Negatives (label 0) are the known false positives of keyword filters (3Second, Bekasi, "tanpa
bekas", "1 bal kopi", "cakar" designs, Monza, other used goods, personal preloved items, export
rejects, compliance text, legally imported new clothes...) plus real marketplace titles.

Evasions are applied as named *families*; every sample records the families it carries, so
``train.py`` can leave a whole family out of training and ``evaluate.py`` can measure recall on it.
Signal terms are marked with ``⟦...⟧`` while a listing is composed, so an evasion targets the words
a seller would actually disguise; the markers are removed before the sample is returned.

Everything is a pure function of the seed: ``generate(n, seed)`` always returns the same rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Families that are kinds of positive listing (what is said) and families that are evasions
# applied on top (how it is written). Leave-one-family-out evaluation uses all of them.
KIND_FAMILIES = ("regional_slang", "implicit_only", "english", "synonym_swap")
EVASION_FAMILIES = ("leetspeak", "separators", "homoglyphs", "zero_width", "misspelling", "description_move")
FAMILIES = KIND_FAMILIES + EVASION_FAMILIES
_CHAR_EVASIONS = ("leetspeak", "separators", "homoglyphs", "zero_width", "misspelling")


@dataclass(frozen=True)
class Sample:
    id: str
    title: str
    description: str
    price: int | None
    category: str | None
    label: int
    kind: str
    families: tuple[str, ...] = field(default=())
    source: str = "synthetic"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


# ----------------------------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------------------------

ITEMS_TOP = ["kaos", "kemeja", "kemeja flanel", "jaket", "jaket denim", "jaket kulit", "jaket parasut", "hoodie",
             "sweater", "crewneck", "cardigan", "blazer", "coat", "parka", "windbreaker", "polo shirt", "kaos band",
             "jersey bola", "rompi", "vest", "blouse", "tunik", "dress", "gaun", "kemeja batik", "jaket varsity",
             "jaket bomber", "kemeja kotak", "t-shirt", "tanktop", "jas", "mantel", "trench coat", "sweatshirt"]
ITEMS_BOTTOM = ["celana jeans", "celana cargo", "celana chino", "celana pendek", "rok", "rok plisket", "jeans",
                "celana kulot", "celana training", "overall", "celana corduroy", "short pants"]
ITEMS_SHOES = ["sepatu", "sneakers", "sepatu lari", "boots", "sepatu kulit", "sepatu basket", "sandal", "loafers"]
ITEMS_BAGS = ["tas", "tas selempang", "tas ransel", "backpack", "tote bag", "sling bag", "handbag", "dompet",
              "tas kulit", "waist bag"]
ITEMS_CLOTHES = ITEMS_TOP + ITEMS_BOTTOM
GLOBAL_BRANDS = ["Uniqlo", "Zara", "H&M", "Levi's", "Nike", "Adidas", "Carhartt", "Dickies", "The North Face", "TNF",
                 "Patagonia", "Polo Ralph Lauren", "Tommy Hilfiger", "GAP", "Champion", "Stussy", "Supreme",
                 "Columbia", "Lacoste", "Burberry", "Converse", "Vans", "New Balance", "Coach", "Michael Kors",
                 "Kappa", "Fila", "Puma", "Reebok", "Lee", "Wrangler", "Mango", "GU", "Beams", "Muji", "Mizuno",
                 "Asics", "Onitsuka", "Harley Davidson", "Disney", "Hard Rock", "Ellesse", "Umbro", "Champion USA"]
LOCAL_BRANDS = ["3Second", "Erigo", "Eiger", "Roughneck", "Thanksinsomnia", "Cotton Ink", "Wearing Klamby",
                "Buttonscarves", "Elzatta", "Rabbani", "Brodo", "Compass", "Ventela", "Aerostreet", "Greenlight",
                "Executive", "Hammer", "Cardinal", "Jiniso", "Screamous", "Kick Denim", "Dagadu", "Joger",
                "Lois Jeans", "Houseofsmith", "Geoff Max", "Bloods", "Mahija", "Zoya", "Nevada"]
ORIGINS = ["Korea", "Jepang", "Japan", "USA", "Amerika", "Eropa", "UK", "Hongkong", "Taiwan", "Jerman", "Australia",
           "Singapura", "Kanada"]
SIZES = ["S", "M", "L", "XL", "XXL", "size M", "size L", "all size", "fit L", "uk 42", "ukuran 40", "size 28",
         "size 30", "size 32", "fit to XL"]
COLOURS = ["hitam", "putih", "navy", "abu", "army", "coklat", "cream", "merah", "biru", "hijau", "maroon", "denim"]
STYLES = ["vintage", "retro", "oversize", "streetwear", "casual", "y2k", "skena", "old school", "90s"]

EXPLICIT = ["thrift", "thrifting", "thrift shop", "thrift store", "bekas", "second", "seken", "2nd", "preloved",
            "pre-loved", "used", "barang bekas", "baju bekas", "pakaian bekas", "second import", "bekas import",
            "sekenan", "thrift ori", "thrift import", "second branded", "bekas branded", "thrift original"]
SWAPPED = ["preloved", "karungan", "karung", "ori luar", "original luar", "hunting", "hasil hunting",
           "barang luar", "curated", "kurasi", "pilihan", "luaran", "barang karungan", "sortiran luar"]
TRADE = ["bal", "ball", "balpres", "bal press", "bal segel", "buka bal", "balan pendek", "karung", "karungan",
         "kiloan", "sortir", "sortiran", "grade A", "grade B", "grade S", "grade kepala", "grade badan",
         "bal korea", "bal jepang", "bal campur", "live buka karung", "bal 100 kg", "bal isi 450 pcs",
         "bal kode 108", "restock tiap minggu", "buka karung"]
REGIONAL = ["awul-awul", "awul awul", "ngawul", "rombengan", "RB", "babebo", "cakar", "cakaran", "obok-obok",
            "baju batam", "BJ", "burukan jambi", "monza", "burukan jerman", "pakaian cakar", "barang monza",
            "awulan", "baju RB", "cakar import", "monza medan", "obok obok", "lelong", "pasar loak"]
EUPHEMISM = ["preloved ex Jepang", "ori luar", "original luar", "hunting", "hasil hunting", "barang luar",
             "no tag", "tanpa label", "kondisi 90%", "kondisi 85%", "minus pemakaian", "ada minus dikit",
             "layak pakai", "from japan", "import korea", "ex Korea", "ex Jepang", "ex USA", "ex Eropa",
             "one of one", "1 of 1", "cuma 1 pcs", "like new"]
IMPLICIT_TITLE = ["kondisi {pct}%", "from {origin_en}", "made in {origin}", "ori {origin}", "pit to pit {p2p}",
                  "p2p {p2p} cm", "minus noda kecil", "cuma 1 pcs", "one piece only", "siapa cepat dapat",
                  "real pict", "no retur", "label asli", "tag {origin}", "{pct}% mulus", "ld {p2p} pj {pj}"]
IMPLICIT_DESC = ["Kondisi {pct}% masih bagus, minus pemakaian wajar.",
                 "Barang dari {origin}, stok beda tiap minggu, siapa cepat dia dapat.",
                 "Lebar dada (pit to pit) {p2p} cm, panjang {pj} cm. Tag size {size} tapi fit {size2}.",
                 "Hanya 1 pcs, tidak ada stok kedua. No retur ya kak, barang sesuai foto.",
                 "Datang langsung dari {origin}, sudah dicuci dan disetrika.",
                 "Minus: ada noda kecil di lengan, tidak terlalu kelihatan.",
                 "Restock setiap minggu, model selalu beda. Pantau terus etalase kami.",
                 "Original brand luar, harga miring, kualitas masih oke banget.",
                 "Stok datang hari Jumat, langsung sortir pilihan terbaik.",
                 "Warna sedikit pudar karena pemakaian, jahitan masih kuat.",
                 "Measurement: p2p {p2p} cm, length {pj} cm. Real pict, no tipu.",
                 "Tag masih ada tapi sudah pudar. Cocok buat kolektor."]
POS_DESC = ["Barang {term} pilihan, kondisi {pct}%, bersih dan wangi.",
            "Kami jual {term} asli {origin}, bukan KW. Stok terbatas.",
            "{term} kualitas super, sudah disortir satu per satu.",
            "Cocok untuk reseller, {term} harga grosir.",
            "Ready {term} import, model beda tiap minggu.",
            "Jual {term} {item} branded dari {origin}, harga miring.",
            "Open reseller, {term} per bal atau per karung, bisa kirim ke seluruh Indonesia.",
            "Bisa COD, {term} sudah dicuci, siap pakai.",
            "Live malam ini jam 8, buka {term} baru datang dari {origin}.",
            "Pengiriman dari gudang, {term} tanpa sortir harga lebih murah."]
BULK_DESC = ["1 bal isi {pcs} pcs, berat {kg} kg, campur {item}.", "Harga per bal {price_k}rb, grade {grade}.",
             "Karungan {origin} isi {pcs} pcs, belum dibuka, segel asli.",
             "Bal segel dari {origin}, isi {item} campur, bisa pilih grade {grade}.",
             "Kiloan Rp{kg}rb per kg, ambil minimal 5 kg.", "Restock tiap minggu, live buka bal setiap Sabtu.",
             "Balan pendek isi {pcs} pcs, cocok untuk pemula usaha.", "Sortiran grade {grade}, sisa kepala badan."]
ENGLISH_POS = ["used clothing bale from {origin_en}", "second hand {item_en} imported from {origin_en}",
               "preloved {brand} {item_en} ex {origin_en}", "vintage used {item_en} {brand}",
               "mixed used clothes bale 100kg grade A", "thrift haul {brand} {item_en}",
               "secondhand {item_en} bulk wholesale", "used {item_en} in bales from {origin_en}",
               "ex {origin_en} used {item_en} grade B", "bulk thrift {item_en} per kg",
               "branded used {item_en} {origin_en} stock"]
ENGLISH_DESC = ["Used clothes imported from {origin_en}, condition {pct}%, sorted grade A.",
                "Bale of {pcs} pieces, {kg} kg, new stock every week.",
                "Secondhand {item_en}, minor defects, sold as is.",
                "Thrifted in {origin_en}, washed and ready to wear.",
                "Wholesale used clothing, mixed bale, open bale live tonight."]
ITEMS_EN = ["jacket", "hoodie", "denim jacket", "shirt", "t-shirt", "jeans", "sweater", "coat", "dress",
            "clothes", "sneakers", "bag", "flannel shirt", "cargo pants"]
ORIGINS_EN = ["Japan", "Korea", "USA", "Europe", "UK", "Germany", "Canada", "Australia"]

NEW_DESC = ["Bahan cotton combed 30s, adem dan nyaman dipakai.", "Jahitan rapi, kualitas distro.",
            "Ready stock, langsung kirim hari ini.", "Barang baru 100%, bukan bekas.", "Produk lokal asli Indonesia.",
            "Garansi uang kembali jika tidak sesuai.", "Free packing bubble wrap.", "Size chart ada di foto.",
            "Produksi sendiri, bisa custom sablon.", "Bahan tebal, tidak luntur, tidak melar.",
            "Original store, bergaransi resmi.", "Restock setiap hari, stok banyak.", "Pengiriman cepat dari Jakarta.",
            "Bisa grosir, harga lebih murah untuk pembelian lusinan.", "Brand new with tag, lengkap dengan box.",
            "Foto real pict, warna sesuai foto.", "Model terbaru 2025, trend kekinian.",
            "Dijahit oleh penjahit berpengalaman di Bandung.", "Kualitas ekspor, harga lokal."]

CATEGORIES_CLOTHES = ["fashion-pria/atasan-pria/kaos-pria", "fashion-pria/atasan-pria/kemeja-pria",
                      "fashion-pria/outerwear-pria/jaket-pria", "fashion-pria/outerwear-pria/hoodie-pria",
                      "fashion-pria/celana-pria/celana-panjang-pria", "fashion-pria/jeans-denim-pria/jeans-pria",
                      "fashion-wanita/atasan-wanita/blouse", "fashion-wanita/dress/dress-wanita",
                      "fashion-wanita/outerwear-wanita/jaket-wanita", "fashion-wanita/bawahan-wanita/rok",
                      "fashion-wanita/atasan-wanita/kaos-wanita", "fashion-anak-bayi/pakaian-anak-laki-laki/kaos-anak",
                      "fashion-muslim/pakaian-muslim-pria/koko"]
CATEGORIES_SHOES = ["fashion-pria/sepatu-pria/sneakers-pria", "fashion-wanita/sepatu-wanita/sneakers-wanita",
                    "fashion-pria/sepatu-pria/boots-pria"]
CATEGORIES_BAGS = ["fashion-wanita/tas-wanita/tas-selempang-wanita", "fashion-pria/tas-pria/ransel-pria",
                   "fashion-wanita/tas-wanita/tote-bag"]
CATEGORIES_FOOD = ["makanan-minuman/makanan-ringan/keripik", "makanan-minuman/minuman/kopi-bubuk",
                   "makanan-minuman/bahan-makanan/beras", "makanan-minuman/kue/kue-kering",
                   "makanan-minuman/bumbu-bahan-masakan/rempah"]
CATEGORIES_OTHER = {"phone": "handphone-tablet/handphone/android-os", "laptop": "komputer-laptop/laptop/laptop-consumer",
                    "book": "buku/novel-sastra/novel", "car": "otomotif/mobil/mobil-bekas",
                    "camera": "audio-kamera-elektronik-lainnya/kamera/kamera-mirrorless",
                    "beauty": "kecantikan/perawatan-wajah/serum-wajah", "home": "rumah-tangga/dekorasi/stiker-dinding",
                    "jewel": "fashion-wanita/perhiasan-wanita/kalung-wanita", "moto": "otomotif/aksesoris-motor/ban-motor",
                    "sport": "olahraga/sepak-bola-futsal/bola-sepak", "outdoor": "olahraga/camping-hiking/senter"}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_MARK = re.compile(r"⟦(.*?)⟧")


class _Gen:
    """One seeded random source and the helpers every template uses."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def fill(self, template: str, **given: str) -> str:
        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in given:
                return given[key]
            return self.slot(key)

        return _PLACEHOLDER.sub(value, template)

    def slot(self, key: str) -> str:
        r = self.r
        table = {
            "pct": lambda: str(self.pick([80, 85, 88, 90, 90, 92, 95, 98])),
            "origin": lambda: self.pick(ORIGINS),
            "origin_en": lambda: self.pick(ORIGINS_EN),
            "p2p": lambda: str(r.randint(44, 68)),
            "pj": lambda: str(r.randint(60, 78)),
            "size": lambda: self.pick(["S", "M", "L", "XL"]),
            "size2": lambda: self.pick(["S", "M", "L", "XL"]),
            "pcs": lambda: str(self.pick([150, 200, 300, 450, 500])),
            "kg": lambda: str(self.pick([25, 45, 50, 100])),
            "grade": lambda: self.pick(["A", "B", "S", "A+"]),
            "price_k": lambda: str(r.randint(20, 90) * 100),
            "item": lambda: self.pick(ITEMS_CLOTHES),
            "item_en": lambda: self.pick(ITEMS_EN),
            "brand": lambda: self.pick(GLOBAL_BRANDS),
            "term": lambda: "⟦" + self.pick(EXPLICIT + TRADE[:8]) + "⟧",
        }
        return table[key]()

    def title_case(self, text: str) -> str:
        style = self.r.random()
        if style < 0.35:
            return text.title().replace("⟦", "⟦").replace("'S", "'s")
        if style < 0.5:
            return text.upper()
        if style < 0.8:
            return text
        return text.lower()


def _mark(term: str) -> str:
    return "⟦" + term + "⟧"


def _join(g: _Gen, parts: list[str]) -> str:
    parts = [p for p in parts if p]
    seps = [" ", " ", " ", " - ", " | ", " / ", ", "]
    out = parts[0]
    for part in parts[1:]:
        out += g.pick(seps) + part
    return out


# ----------------------------------------------------------------------------------------------
# Positive kinds
# ----------------------------------------------------------------------------------------------


def _pos_item(g: _Gen, shoes_bags: bool = False) -> tuple[str, str]:
    if shoes_bags or g.chance(0.12):
        if g.chance(0.5):
            return g.pick(ITEMS_SHOES), g.pick(CATEGORIES_SHOES)
        return g.pick(ITEMS_BAGS), g.pick(CATEGORIES_BAGS)
    return g.pick(ITEMS_CLOTHES), g.pick(CATEGORIES_CLOTHES)


def _pos_price(g: _Gen, bulk: bool = False) -> int | None:
    if g.chance(0.08):
        return None
    if bulk:
        if g.chance(0.35):
            return g.r.randint(25, 90) * 1000  # per kg
        return g.r.randint(15, 160) * 100_000  # a bale
    if g.chance(0.8):
        return g.r.randint(15, 160) * 1000 + g.pick([0, 0, 500, 900])
    return g.r.randint(160, 900) * 1000


def _decorate(g: _Gen, parts: list[str], brand: str | None = None) -> list[str]:
    if brand and g.chance(0.7):
        parts.insert(g.r.randint(0, len(parts)), brand)
    if g.chance(0.4):
        parts.append(g.pick(SIZES))
    if g.chance(0.25):
        parts.append(g.pick(COLOURS))
    if g.chance(0.2):
        parts.append(g.pick(STYLES))
    return parts


def _pos_explicit(g: _Gen) -> tuple[str, str, str, int | None, str]:
    item, cat = _pos_item(g)
    terms = [_mark(g.pick(EXPLICIT))]
    if g.chance(0.5):
        terms.append(_mark(g.pick(EUPHEMISM)))
    if g.chance(0.3):
        terms.append(_mark("ex " + g.pick(ORIGINS)))
    parts = _decorate(g, [item, *terms], g.pick(GLOBAL_BRANDS))
    g.r.shuffle(parts)
    desc = " ".join(g.fill(g.pick(POS_DESC), term=_mark(g.pick(EXPLICIT)), item=item) for _ in range(g.r.randint(0, 3)))
    return "explicit", _join(g, parts), desc, _pos_price(g), cat


def _pos_bulk(g: _Gen) -> tuple[str, str, str, int | None, str]:
    item, cat = _pos_item(g)
    terms = [_mark(g.pick(TRADE))]
    if g.chance(0.6):
        terms.append(_mark(g.pick(TRADE)))
    if g.chance(0.5):
        terms.append(g.pick(ORIGINS))
    if g.chance(0.4):
        terms.append(_mark(g.pick(EXPLICIT)))
    parts = [g.pick([item, "pakaian", "baju", "campur", "mix " + item])] + terms
    if g.chance(0.4):
        parts.append(g.fill(g.pick(["isi {pcs} pcs", "{kg} kg", "{kg}kg", "grade {grade}"])))
    g.r.shuffle(parts)
    desc = " ".join(g.fill(g.pick(BULK_DESC), item=item) for _ in range(g.r.randint(0, 3)))
    return "bulk_trade", _join(g, parts), desc, _pos_price(g, bulk=True), cat if g.chance(0.7) else None


def _pos_euphemism(g: _Gen) -> tuple[str, str, str, int | None, str]:
    item, cat = _pos_item(g)
    terms = [_mark(g.pick(EUPHEMISM)) for _ in range(g.r.randint(1, 3))]
    parts = _decorate(g, [item, *terms], g.pick(GLOBAL_BRANDS))
    g.r.shuffle(parts)
    desc = " ".join(g.fill(g.pick(IMPLICIT_DESC)) for _ in range(g.r.randint(0, 3)))
    return "euphemism", _join(g, parts), desc, _pos_price(g), cat


def _pos_regional(g: _Gen) -> tuple[str, str, str, int | None, str]:
    item, cat = _pos_item(g)
    terms = [_mark(g.pick(REGIONAL))]
    if g.chance(0.4):
        terms.append(g.pick(ORIGINS))
    if g.chance(0.3):
        terms.append(_mark(g.pick(["murah", "pilihan", "branded", "ori", "grade A", "kiloan"])))
    parts = _decorate(g, [item, *terms], g.pick(GLOBAL_BRANDS) if g.chance(0.6) else None)
    g.r.shuffle(parts)
    desc_pool = IMPLICIT_DESC + [f"Jual {t} {item} murah, stok baru datang." for t in ("⟦" + g.pick(REGIONAL) + "⟧",)]
    desc = " ".join(g.fill(g.pick(desc_pool)) for _ in range(g.r.randint(0, 2)))
    return "regional_slang", _join(g, parts), desc, _pos_price(g, bulk=g.chance(0.2)), cat


def _pos_synonym(g: _Gen) -> tuple[str, str, str, int | None, str]:
    item, cat = _pos_item(g)
    terms = [_mark(g.pick(SWAPPED)) for _ in range(g.r.randint(1, 2))]
    if g.chance(0.5):
        terms.append(g.pick(ORIGINS))
    parts = _decorate(g, [item, *terms], g.pick(GLOBAL_BRANDS))
    g.r.shuffle(parts)
    desc = " ".join(g.fill(g.pick(IMPLICIT_DESC)) for _ in range(g.r.randint(0, 2)))
    return "synonym_swap", _join(g, parts), desc, _pos_price(g, bulk=g.chance(0.2)), cat


def _pos_implicit(g: _Gen) -> tuple[str, str, str, int | None, str]:
    item, cat = _pos_item(g)
    signals = [g.fill(g.pick(IMPLICIT_TITLE)) for _ in range(g.r.randint(1, 3))]
    parts = _decorate(g, [item, g.pick(GLOBAL_BRANDS), *signals])
    g.r.shuffle(parts)
    desc = " ".join(g.fill(g.pick(IMPLICIT_DESC)) for _ in range(g.r.randint(1, 4)))
    price = g.r.randint(25, 140) * 1000 if g.chance(0.85) else None
    return "implicit_only", _join(g, parts), desc, price, cat


def _pos_english(g: _Gen) -> tuple[str, str, str, int | None, str]:
    _, cat = _pos_item(g)
    title = g.fill(g.pick(ENGLISH_POS))
    if g.chance(0.3):
        title += " " + g.pick(SIZES)
    desc = " ".join(g.fill(g.pick(ENGLISH_DESC)) for _ in range(g.r.randint(0, 2)))
    return "english", title, desc, _pos_price(g, bulk="bale" in title or "bulk" in title), cat


def _pos_shoes_bags(g: _Gen) -> tuple[str, str, str, int | None, str]:
    item, cat = _pos_item(g, shoes_bags=True)
    terms = [_mark(g.pick(EXPLICIT + EUPHEMISM + TRADE[:10]))]
    if g.chance(0.4):
        terms.append(_mark("ex " + g.pick(ORIGINS)))
    parts = _decorate(g, [item, *terms], g.pick(GLOBAL_BRANDS))
    g.r.shuffle(parts)
    desc = " ".join(g.fill(g.pick(POS_DESC), term=_mark(g.pick(EXPLICIT)), item=item) for _ in range(g.r.randint(0, 2)))
    return "shoes_bags", _join(g, parts), desc, _pos_price(g), cat


POSITIVE_KINDS = {
    "explicit": (_pos_explicit, 0.2),
    "bulk_trade": (_pos_bulk, 0.16),
    "euphemism": (_pos_euphemism, 0.12),
    "regional_slang": (_pos_regional, 0.13),
    "synonym_swap": (_pos_synonym, 0.1),
    "implicit_only": (_pos_implicit, 0.13),
    "english": (_pos_english, 0.07),
    "shoes_bags": (_pos_shoes_bags, 0.09),
}


# ----------------------------------------------------------------------------------------------
# Negative kinds
# ----------------------------------------------------------------------------------------------


def _new_price(g: _Gen) -> int | None:
    if g.chance(0.06):
        return None
    return g.r.randint(20, 450) * 1000 + g.pick([0, 0, 900, 500, 999])


def _neg_new_clothing(g: _Gen):
    item, cat = _pos_item(g)
    extras = ["baru", "new arrival", "ready stock", "premium", "original", "terbaru", "kekinian", "murah",
              "bahan import", "kualitas ekspor", "vintage style", "motif vintage", "oversize", "unisex", "COD",
              "grosir", "termurah", "best seller", "cotton combed 30s", "distro", "bisa custom", "korean style",
              "model jepang", "japanese style", "gaya korea", "paket hemat", "isi 3 pcs", "lusinan"]
    parts = _decorate(g, [item, *g.r.sample(extras, g.r.randint(1, 4))], g.pick(LOCAL_BRANDS + [""]) or None)
    g.r.shuffle(parts)
    desc = " ".join(g.pick(NEW_DESC) for _ in range(g.r.randint(0, 3)))
    return "new_clothing", _join(g, parts), desc, _new_price(g), cat


def _neg_local_brand(g: _Gen):
    item, cat = _pos_item(g)
    brand = g.pick(["3Second", "3SECOND", "3second", "Three Second", "3Second Men", "3Second Girl"] + LOCAL_BRANDS[:6])
    code = g.fill("OL-C{pj}{p2p}25") if g.chance(0.5) else ""
    parts = [brand, item, g.pick(["Regular Fit", "Slim Fit", "Pria", "Wanita", "Katun", "Original", "Casual"]), code]
    desc = " ".join(g.pick(NEW_DESC) for _ in range(g.r.randint(0, 2)))
    return "local_brand", _join(g, parts), desc, g.r.randint(90, 400) * 1000, cat


def _neg_bekasi(g: _Gen):
    item, cat = _pos_item(g)
    templates = ["{item} ready Bekasi", "Toko {item} Bekasi COD", "{item} murah kirim dari Bekasi",
                 "Konveksi Bekasi {item} sablon", "{item} - grosir Bekasi Timur", "Bekasi: {item} baru",
                 "Goreng Garam Khas Bekasi", "Dodol Betawi Bekasi asli"]
    title = g.fill(g.pick(templates), item=item)
    desc = "Gudang kami di Bekasi, bisa ambil langsung. " + g.pick(NEW_DESC)
    return "bekasi_city", title, desc if g.chance(0.6) else "", _new_price(g), cat


def _neg_tanpa_bekas(g: _Gen):
    titles = ["Serum penghilang bekas jerawat {brand2}", "Krim bekas luka dan stretch mark", "Gel bekas jerawat 15 ml",
              "Lem tembak tanpa bekas", "Double tape kuat tanpa bekas", "Hanger tempel dinding tanpa bekas",
              "Stiker dinding mudah dilepas tanpa bekas", "Bra seamless tanpa bekas jahitan",
              "Celana dalam laser cut tanpa bekas", "Sabun muka menyamarkan bekas jerawat",
              "Paku tembok tanpa bor tanpa bekas", "Pembersih noda bekas lem", "Obat bekas luka operasi",
              "Sikat bekas kerak panci"]
    title = g.fill(g.pick(titles), brand2=g.pick(["Scarlett", "Azarine", "Wardah", "Somethinc", "Emina", "Skintific"]))
    cat = g.pick([CATEGORIES_OTHER["beauty"], CATEGORIES_OTHER["home"], "fashion-wanita/pakaian-dalam-wanita/bra"])
    return "tanpa_bekas", title, g.pick(NEW_DESC) if g.chance(0.5) else "", g.r.randint(8, 150) * 1000, cat


def _neg_bulk_food(g: _Gen):
    titles = ["Kopi bubuk 1 bal isi 10 sachet", "Kerupuk udang 1 bal isi 20 bungkus", "Beras 1 karung 25 kg",
              "Snack velfit isi 6 karung", "Keripik kiloan 1 kg pedas", "Kopi robusta grade A 1 kg",
              "Green bean arabica sortiran", "Gula pasir 1 karung 50kg", "Mie instan 1 dus isi 40",
              "Telur gabus keju 1 bal", "Rempah grade A 500 gr", "Snack kiloan murah 250 gr", "Bawang merah 1 karung",
              "Kopi cap karung 200 gram", "Beras premium karungan 5 kg", "Tepung terigu 1 bal isi 10",
              "Biji kopi sortir petik merah", "Kacang tanah kupas kiloan grade A", "Jajanan jadul 1 bal 10 pcs",
              "Teh celup 1 bal isi 25", "Permen kiloan campur", "Cabe kering 1 karung"]
    title = g.pick(titles)
    if g.chance(0.3):
        title += " " + g.pick(["murah", "grosir", "termurah", "fresh", "khas daerah"])
    desc = g.pick(["Produksi rumahan, higienis.", "Dikirim fresh setiap hari.", "Tahan 3 bulan.", ""])
    return "bulk_food", title, desc, g.r.randint(5, 600) * 1000, g.pick(CATEGORIES_FOOD)


def _neg_cakar(g: _Gen):
    titles = ["Kalung cakar harimau titanium", "Cincin cakar naga vintage", "Kaos sablon cakar macan",
              "Kuku palsu model cakar kucing", "Gantungan kunci cakar beruang", "Sarung tangan cakar kostum",
              "Cakar ayam garuk punggung", "Jaket motif cakar singa", "Stiker motor cakar", "Mainan cakar dinosaurus",
              "Anting cakar elang", "Cincin cakar hantu tengkorak"]
    cat = g.pick([CATEGORIES_OTHER["jewel"], "fashion-pria/atasan-pria/kaos-pria", "mainan-hobi/figure/figure"])
    return "cakar_design", g.pick(titles), g.pick(NEW_DESC) if g.chance(0.4) else "", _new_price(g), cat


def _neg_monza(g: _Gen):
    titles = ["Ban Monza ring 17", "Helm Monza full face", "Sepatu futsal Monza original", "Monza jam tangan sport",
              "Jersey Monza racing", "Kaos Monza F1 Grand Prix", "Velg Monza", "Monza Series kemeja pria",
              "Parfum Monza 100ml", "Tas Monza laptop"]
    return "monza_line", g.pick(titles), g.pick(NEW_DESC) if g.chance(0.4) else "", _new_price(g), g.pick(
        [CATEGORIES_OTHER["moto"], CATEGORIES_SHOES[0], CATEGORIES_CLOTHES[0]])


def _neg_used_other(g: _Gen):
    things = [("iPhone 11 64GB", "phone"), ("Samsung A52", "phone"), ("Xiaomi Redmi Note 10", "phone"),
              ("Laptop Asus Vivobook", "laptop"), ("ThinkPad T480", "laptop"), ("Toyota Avanza 2015", "car"),
              ("Honda Jazz 2012", "car"), ("Novel Harry Potter", "book"), ("Buku kuliah akuntansi", "book"),
              ("Kamera Canon EOS M10", "camera"), ("Lensa Sony 50mm", "camera"), ("PS4 slim", "laptop"),
              ("Monitor LG 24 inch", "laptop"), ("Honda Beat 2019", "car"), ("iPad Air 4", "phone")]
    thing, kind = g.pick(things)
    terms = g.r.sample(["bekas", "second", "seken", "2nd", "like new", "kondisi 90%", "mulus", "fullset",
                        "ex inter", "garansi habis", "minus pemakaian", "preloved", "kondisi 95%", "bekas pakai"],
                       g.r.randint(1, 3))
    parts = [thing, *terms]
    g.r.shuffle(parts)
    desc = g.pick(["Kondisi normal semua fungsi, minus lecet pemakaian.", "Batangan, no box.",
                   "Pemakaian pribadi, jual karena upgrade.", "Surat lengkap, pajak hidup.", ""])
    price = g.r.randint(800, 9000) * 1000 if kind != "car" else g.r.randint(60, 200) * 1_000_000
    if kind == "book":
        price = g.r.randint(20, 120) * 1000
    return "used_other", _join(g, parts), desc, price, CATEGORIES_OTHER[kind]


def _neg_personal_preloved(g: _Gen):
    item, cat = _pos_item(g)
    brand = g.pick(LOCAL_BRANDS + GLOBAL_BRANDS[:8])
    title = g.fill(g.pick(["Preloved {item} {brand} pribadi", "Jual {item} {brand} punya sendiri",
                           "{item} {brand} preloved dipakai 2x", "Preloved pribadi {item} size {size}",
                           "{brand} {item} bekas pakai sendiri", "Lepas {item} {brand} koleksi pribadi"]),
                   item=item, brand=brand)
    desc = g.pick(["Dipakai sendiri beberapa kali, alasan jual kekecilan.", "Beli di mall tahun lalu, ada nota.",
                   "Bekas pribadi, bukan barang impor. Cuma satu.", "Jual karena pindahan, masih bagus.",
                   "Koleksi lemari sendiri, bersih dan wangi."])
    return "personal_preloved", title, desc, g.r.randint(30, 350) * 1000, cat


def _neg_reject_export(g: _Gen):
    item, cat = _pos_item(g)
    title = g.fill(g.pick(["{item} sisa ekspor", "{item} reject export", "{item} overrun original", "{item} reject",
                           "{item} sisa produksi pabrik", "{item} export quality", "{item} ex ekspor baru",
                           "{item} cacat produksi murah", "{item} sisa export {brand}"]), item=item)
    desc = g.pick(["Barang baru dari pabrik garmen di Bandung, sisa order ekspor.",
                   "Overrun produksi lokal, label dipotong, kondisi baru.", "Reject minor, baru belum pernah dipakai.",
                   "Produksi pabrik Indonesia, kualitas ekspor."])
    return "reject_export", title, desc, g.r.randint(20, 200) * 1000, cat


def _neg_compliance(g: _Gen):
    item, cat = _pos_item(g)
    title = g.fill(g.pick(["{item} bukan thrift 100% baru", "{item} baru bukan bekas", "{item} new bukan second",
                           "{item} original baru, no thrift", "{item} 100% new, not used", "{item} dijamin baru",
                           "{item} baru - bukan barang bekas impor"]), item=item)
    desc = g.pick(["Kami tidak menjual pakaian bekas impor sesuai aturan Permendag.",
                   "Semua produk baru, produksi sendiri, bukan thrift.", "Barang baru dengan label, bukan bekas.",
                   "100% baru, bukan thrifting, bukan barang karungan."])
    return "compliance", title, desc, _new_price(g), cat


def _neg_legal_import(g: _Gen):
    item, cat = _pos_item(g)
    brand = g.pick(GLOBAL_BRANDS)
    title = g.fill(g.pick(["{brand} {item} original new with tag", "{brand} {item} BNWT import resmi",
                           "{item} {brand} original store Jepang baru", "{brand} {item} new original 100% import",
                           "{brand} official {item} baru lengkap tag"]), item=item, brand=brand)
    desc = g.pick(["Impor resmi, ada tag dan nota pembelian.", "Dibeli di official store, lengkap dengan struk.",
                   "Barang baru, segel dan tag lengkap, bea cukai resmi.", "Authorized reseller, garansi resmi."])
    return "legal_import", title, desc, g.r.randint(250, 2500) * 1000, cat


def _neg_misc_hard(g: _Gen):
    titles = ["Bola sepak ball size 5", "Ball pen Standard isi 12", "Senter hunting LED", "Pisau hunting outdoor",
              "Sepatu hunting tahan air baru", "Karung goni baru 50x80", "Karung beras baru bisa sablon",
              "Tas karung goni handmade", "Kantong plastik 1 bal", "Baseball cap distro", "Paket hemat kaos 3 pcs",
              "Vintage style kalung titanium", "Kemeja motif vintage baru", "Bal karet gelang 1 kg",
              "Kain perca kiloan untuk kerajinan", "Benang rajut 1 bal", "Sortir uang koin album",
              "Grade A hijab bella square", "Koko toyobo grade A", "Kaos polos grade A lusinan"]
    cat = g.pick(CATEGORIES_CLOTHES + [CATEGORIES_OTHER["sport"], CATEGORIES_OTHER["outdoor"], CATEGORIES_OTHER["home"]])
    return "misc_hard", g.pick(titles), g.pick(NEW_DESC) if g.chance(0.5) else "", _new_price(g), cat


NEGATIVE_KINDS = {
    "new_clothing": (_neg_new_clothing, 0.22),
    "local_brand": (_neg_local_brand, 0.07),
    "bekasi_city": (_neg_bekasi, 0.05),
    "tanpa_bekas": (_neg_tanpa_bekas, 0.06),
    "bulk_food": (_neg_bulk_food, 0.08),
    "cakar_design": (_neg_cakar, 0.04),
    "monza_line": (_neg_monza, 0.03),
    "used_other": (_neg_used_other, 0.1),
    "personal_preloved": (_neg_personal_preloved, 0.08),
    "reject_export": (_neg_reject_export, 0.06),
    "compliance": (_neg_compliance, 0.06),
    "legal_import": (_neg_legal_import, 0.06),
    "misc_hard": (_neg_misc_hard, 0.09),
}


# ----------------------------------------------------------------------------------------------
# Evasion families
# ----------------------------------------------------------------------------------------------

_LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "l": "1", "g": "9", "b": "8"}
_CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "s": "ѕ", "j": "ј",
             "h": "һ", "k": "к", "A": "А", "B": "В", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
             "C": "С", "T": "Т", "X": "Х"}
_GREEK = {"o": "ο", "a": "α", "i": "ι", "v": "ν", "t": "τ", "k": "κ", "u": "υ", "p": "ρ", "A": "Α", "B": "Β",
          "E": "Ε", "H": "Η", "I": "Ι", "K": "Κ", "M": "Μ", "N": "Ν", "O": "Ο", "P": "Ρ", "T": "Τ", "X": "Χ"}
_ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
_MISSPELL = {"thrift": ["trift", "thrif", "thirft", "thriff", "trhift", "threft", "tript", "thrft", "thriift"],
             "thrifting": ["tripting", "thrifing", "triftingg", "thrifthing"],
             "second": ["secon", "sekon", "sekond", "seccond", "secondd", "scond", "sekken"],
             "bekas": ["bks", "bkas", "bekaz", "bekass", "beka5", "bkss"], "preloved": ["prelop", "prelov", "preelove",
             "prlvd", "preloveed", "priloved"], "karungan": ["karungn", "krgn", "karongan"], "bal": ["bale", "ball", "baal"],
             "balpres": ["balpress", "bal pres", "bllpres"], "awul-awul": ["awol awol", "awulawul"],
             "import": ["impor", "imporr", "inport"], "rombengan": ["rombeng", "rombengn"], "cakar": ["cakarr", "cakr"]}


def _style_fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


def _named(prefix: str, ch: str) -> str:
    name = f"{prefix} {'CAPITAL' if ch.isupper() else 'SMALL'} {ch.upper()}"
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return ch


def _homoglyph_word(g: _Gen, word: str) -> str:
    style = g.pick(["cyrillic", "cyrillic", "greek", "fullwidth", "smallcaps", "math", "circled", "regional", "mixed"])
    if style == "cyrillic":
        return "".join(_CYRILLIC.get(c, c) if g.chance(0.7) else c for c in word)
    if style == "greek":
        return "".join(_GREEK.get(c, c) if g.chance(0.7) else c for c in word)
    if style == "fullwidth":
        return "".join(_style_fullwidth(c) for c in word)
    if style == "smallcaps":
        out = []
        for c in word:
            try:
                out.append(unicodedata.lookup("LATIN LETTER SMALL CAPITAL " + c.upper()) if c.isalpha() else c)
            except KeyError:
                out.append(c)
        return "".join(out)
    if style == "math":
        prefix = g.pick(["MATHEMATICAL BOLD", "MATHEMATICAL ITALIC", "MATHEMATICAL SANS-SERIF BOLD",
                         "MATHEMATICAL DOUBLE-STRUCK", "MATHEMATICAL MONOSPACE", "MATHEMATICAL BOLD SCRIPT"])
        return "".join(_named(prefix, c) if c.isascii() and c.isalpha() else c for c in word)
    if style == "circled":
        return "".join(_named("CIRCLED LATIN", c) if c.isascii() and c.isalpha() else c for c in word)
    if style == "regional":
        return "".join(chr(0x1F1E6 + ord(c.lower()) - 97) + "\u200b" if c.isascii() and c.isalpha() else c
                       for c in word)
    mixed = {**_GREEK, **_CYRILLIC}
    return "".join(mixed.get(c, c) for c in word)


def _leet_word(g: _Gen, word: str) -> str:
    letters = [i for i, c in enumerate(word) if c.lower() in _LEET and 0 < i < len(word) - 1]
    if not letters:
        return word
    chosen = set(g.r.sample(letters, max(1, min(len(letters), g.r.randint(1, 3)))))
    return "".join(g.pick(_LEET[c.lower()]) if i in chosen else c for i, c in enumerate(word))


def _separator_word(g: _Gen, word: str) -> str:
    if len(word) < 3 or " " in word:
        return word
    style = g.r.random()
    if style < 0.6:
        sep = g.pick([".", " ", "-", "_", "*", "•", " . ", "·", "/", "|"])
        return sep.join(word)
    cut = g.r.randint(1, len(word) - 1)
    if min(cut, len(word) - cut) > 3:
        cut = g.pick([2, 3, len(word) - 2])
    return word[:cut] + g.pick(["-", ".", "_", "*"]) + word[cut:]


def _zero_width_word(g: _Gen, word: str) -> str:
    if len(word) < 2:
        return word
    out = [word[0]]
    for ch in word[1:]:
        if g.chance(0.5):
            out.append(g.pick(_ZERO_WIDTH))
        out.append(ch)
    return "".join(out)


def _misspell_word(g: _Gen, word: str) -> str:
    low = word.lower()
    if low in _MISSPELL and g.chance(0.6):
        return g.pick(_MISSPELL[low])
    if len(word) < 4:
        return word
    i = g.r.randint(1, len(word) - 2)
    op = g.r.randrange(4)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    if op == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    vowels = "aeiou"
    if word[i].lower() in vowels:
        return word[:i] + g.pick([v for v in vowels if v != word[i].lower()]) + word[i + 1 :]
    return word[:i] + word[i + 1 :]


_WORD_EVASIONS = {"leetspeak": _leet_word, "separators": _separator_word, "homoglyphs": _homoglyph_word,
                  "zero_width": _zero_width_word, "misspelling": _misspell_word}


def _evade_marked(g: _Gen, text: str, family: str, rate: float = 1.0) -> str:
    fn = _WORD_EVASIONS[family]

    def each(match: re.Match[str]) -> str:
        words = match.group(1).split(" ")
        if len(words) > 1 and g.chance(0.5):
            idx = g.r.randrange(len(words))
            words[idx] = fn(g, words[idx])
        else:
            words = [fn(g, w) if g.chance(rate) else w for w in words]
        return "⟦" + " ".join(words) + "⟧"

    return _MARK.sub(each, text)


def _evade_random_words(g: _Gen, text: str, family: str, share: float) -> str:
    fn = _WORD_EVASIONS[family]
    return " ".join(fn(g, w) if len(w) > 2 and g.chance(share) else w for w in text.split(" "))


def _unmark(text: str) -> str:
    return text.replace("⟦", "").replace("⟧", "")


def _move_to_description(g: _Gen, title: str, desc: str) -> tuple[str, str]:
    marked = _MARK.findall(title)
    clean = _MARK.sub("", title)
    clean = re.sub(r"(\s*[-|/,]\s*)+$", "", re.sub(r"^(\s*[-|/,]\s*)+", "", re.sub(r"\s+", " ", clean))).strip()
    clean = re.sub(r"(\s[-|/,])(\s[-|/,])+", r"\1", clean)
    moved = ", ".join("⟦" + m + "⟧" for m in marked)
    lead = g.pick(["Keterangan: ", "Detail: ", "", "Info: ", "Note: ", "Deskripsi: "])
    sentence = lead + g.pick(["barang {m}.", "{m}, cek foto.", "ini {m} ya kak.", "{m}. Tanya stok dulu."]).format(m=moved)
    desc = (desc + " " + sentence).strip() if g.chance(0.5) else (sentence + " " + desc).strip()
    return clean or title, desc


# ----------------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------------


def _choose(g: _Gen, table: dict) -> tuple[str, object]:
    x = g.r.random() * sum(w for _, w in table.values())
    for name, (fn, weight) in table.items():
        x -= weight
        if x <= 0:
            return name, fn
    name = next(reversed(table))
    return name, table[name][0]


def _finish(g: _Gen, title: str, desc: str) -> tuple[str, str]:
    title = g.title_case(title)
    return _unmark(title).strip(), _unmark(desc).strip()


def generate(n: int, seed: int, *, positive_share: float = 0.5, id_prefix: str = "syn") -> list[Sample]:
    """``n`` synthetic listings, a pure function of ``(n, seed, positive_share)``."""
    g = _Gen(seed)
    out: list[Sample] = []
    for index in range(n):
        if g.r.random() < positive_share:
            out.append(_positive(g, f"{id_prefix}-{seed}-{index}"))
        else:
            out.append(_negative(g, f"{id_prefix}-{seed}-{index}"))
    return out


def _positive(g: _Gen, sample_id: str, *, force: str | None = None) -> Sample:
    if force in KIND_FAMILIES:
        kind, fn = force, POSITIVE_KINDS[force][0]
    else:
        kind, fn = _choose(g, POSITIVE_KINDS)
    kind, title, desc, price, cat = fn(g)
    families = [kind] if kind in KIND_FAMILIES else []
    evasions: list[str] = []
    if force in EVASION_FAMILIES:
        evasions.append(force)
    elif g.chance(0.5):
        evasions.append(g.pick(EVASION_FAMILIES))
        if g.chance(0.2):
            evasions.append(g.pick(_CHAR_EVASIONS))
    if "description_move" in evasions and "⟦" in title:
        title, desc = _move_to_description(g, title, desc)
    elif "description_move" in evasions:
        evasions.remove("description_move")
    if not desc and g.chance(0.3):
        desc = g.fill(g.pick(IMPLICIT_DESC + POS_DESC))
    for fam in evasions:
        if fam in _WORD_EVASIONS:
            if "⟦" not in title + desc:
                title = _evade_random_words(g, title, fam, 0.4)
            else:
                title = _evade_marked(g, title, fam)
                desc = _evade_marked(g, desc, fam, rate=0.5)
    title, desc = _finish(g, title, desc)
    families.extend(f for f in evasions if f not in families)
    if g.chance(0.25):
        desc = ""
    return Sample(sample_id, title, desc, price, cat if g.chance(0.8) else None, 1, kind, tuple(sorted(families)))


def _negative(g: _Gen, sample_id: str, *, force: str | None = None) -> Sample:
    kind, fn = _choose(g, NEGATIVE_KINDS)
    kind, title, desc, price, cat = fn(g)
    families: list[str] = []
    fam = force if force in _WORD_EVASIONS else (g.pick(_CHAR_EVASIONS) if g.chance(0.15) else None)
    if fam:
        title = _evade_random_words(g, title, fam, 0.3)
        families.append(fam)
    title = g.title_case(title)
    if g.chance(0.3):
        desc = ""
    return Sample(sample_id, title.strip(), desc.strip(), price, cat if g.chance(0.8) else None, 0, kind,
                  tuple(families))


def family_test_set(family: str, n: int, seed: int) -> list[Sample]:
    """``n`` positives that all carry ``family`` (for leave-one-family-out recall)."""
    g = _Gen(seed)
    out = []
    for index in range(n):
        sample = _positive(g, f"fam-{family}-{seed}-{index}", force=family)
        tries = 0
        while family not in sample.families and tries < 20:
            sample = _positive(g, f"fam-{family}-{seed}-{index}", force=family)
            tries += 1
        out.append(sample)
    return out


def negative_evasion_set(family: str, n: int, seed: int) -> list[Sample]:
    """``n`` negatives disguised with a character-level evasion (must stay ALLOW)."""
    g = _Gen(seed)
    return [_negative(g, f"negfam-{family}-{seed}-{i}", force=family) for i in range(n)]


# ----------------------------------------------------------------------------------------------
# Real titles (reference data in ../shared/data, never copied into the repo)
# ----------------------------------------------------------------------------------------------


def shared_data_dir(repo_root: Path | None = None) -> Path:
    env = os.environ.get("SARING_SHARED_DATA")
    if env:
        return Path(env)
    return Path(repo_root or REPO_ROOT).parent / "shared" / "data"


def real_titles_path(repo_root: Path | None = None) -> Path:
    return shared_data_dir(repo_root) / "real_titles_dev.jsonl"


REAL_SPLIT_SALT = "saring-real-split-v1"


def real_split(record_id: str) -> str:
    """'train' (50%), 'validation' (15%) or 'holdout' (35%), fixed by a salted hash of the id."""
    bucket = int.from_bytes(hashlib.sha256((REAL_SPLIT_SALT + record_id).encode()).digest()[:4], "big") % 100
    if bucket < 50:
        return "train"
    if bucket < 65:
        return "validation"
    return "holdout"


def read_real_titles(path: Path | None = None) -> Iterator[Sample]:
    path = path or real_titles_path()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            row = json.loads(line)
            price = row.get("price")
            yield Sample(str(row["id"]), str(row.get("title") or ""), "", int(price) if isinstance(price, (int, float))
                         else None, row.get("category"), 0, "real_title", (), "real")


def real_titles(split: str, path: Path | None = None) -> list[Sample]:
    return [s for s in read_real_titles(path) if real_split(s.id) == split]


def decorate_real(samples: Iterable[Sample], seed: int) -> list[Sample]:
    """Real titles as training negatives: some get a generic description, some drop the category."""
    g = _Gen(seed)
    out = []
    for s in samples:
        desc = " ".join(g.pick(NEW_DESC) for _ in range(g.r.randint(1, 3))) if g.chance(0.3) else ""
        out.append(Sample(s.id, s.title, desc, s.price, s.category if g.chance(0.85) else None, 0, s.kind,
                          (), s.source))
    return out


def corpus_hash(samples: Iterable[Sample]) -> str:
    digest = hashlib.sha256()
    for s in samples:
        digest.update(s.to_json().encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


if __name__ == "__main__":  # a peek at the generator: python models/corpus.py [n]
    import sys

    for sample in generate(int(sys.argv[1]) if len(sys.argv) > 1 else 20, seed=1):
        print(sample.to_json())
