"""Training data for the listing classifier: counterfactual pairs on shared carriers.

The old generator wrote positives from short templates and negatives from real titles, so length,
field presence and style separated the classes better than the law did. Here everything that is
not about the law is drawn from one distribution for both classes:

* **Carriers.** A listing starts as a carrier: a real Tokopedia title (audited, see
  ``models/real_audit.md``) or a short synthetic product title, plus a description assembled
  from shared pools (greetings, shipping and return rules, care text, size charts, emoji lists,
  product specs) of 0 to 2,000 characters. Casing and separators are styled the same way.
* **Counterfactual pairs.** From each clothing, shoe or bag carrier come two listings: one with
  a violation *signal* put into its title or description (a positive), and its twin without it,
  where the signal is left out or replaced by a legal look-alike (a "trap": "bahan import",
  "vintage style", "bukan thrift, 100% baru", "preloved pribadi", "kirim dari Bekasi"...).
  The twin keeps the carrier, the boilerplate and the length.
* **Not clothing.** Carriers that are not clothing, shoes or bags get the very same signals and
  stay negatives ("Tomica second ex Jepang"): HS 6309 is clothing, shoes and bags only.
* **Families.** Each signal belongs to a family (what is said: explicit, bale trade, regional
  slang, euphemism, English, implicit cues) and may be disguised by an evasion family (leetspeak,
  separators, homoglyphs, zero-width, misspelling); a signal only in the description adds
  ``description_only``, a shoe or bag carrier ``shoes_bags``. A twin carries its positive's
  families, so leaving a family out of training removes both.

A sample also records which description segments each of its signals needs
(``Sample.signals``), so ``train.py`` can label each training *unit* (the title alone, the title
with one segment, the title with two adjacent segments) by whether it holds a whole signal.

Everything is a pure function of the seed: ``generate(n, seed)`` always returns the same rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import sys
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT / "functions") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "functions"))

from saring.classifier.features import model_input  # noqa: E402

SIGNAL_FAMILIES = ("explicit", "bale_trade", "regional_slang", "euphemism", "english", "implicit_only")
EVASION_FAMILIES = ("leetspeak", "separators", "homoglyphs", "zero_width", "misspelling")
PLACEMENT_FAMILIES = ("description_only", "shoes_bags")
FAMILIES = SIGNAL_FAMILIES + EVASION_FAMILIES + PLACEMENT_FAMILIES


@dataclass(frozen=True)
class Sample:
    id: str
    title: str
    description: str
    label: int
    kind: str
    families: tuple[str, ...] = field(default=())
    source: str = "synthetic"
    # One entry per signal: the description segments (block numbers, 1 = the first segment) the
    # signal needs; () for a signal in the title, which every unit holds. None when only the
    # listing's label is known (hand-written listings, review outcomes).
    signals: tuple[tuple[int, ...], ...] | None = field(default=())
    weight: float = 1.0
    clothing: bool = True  # the thing sold is clothing, shoes or bags (what the clothing gate learns)
    # The words of a title signal, (first, end) counted after the title block's marker, so that
    # train.py can label the title's word windows; None when unknown (no title signal, or one
    # that normalisation did not keep as its own run of words).
    title_span: tuple[int, int] | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


# ----------------------------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------------------------

CLOTHES = ["kaos", "kemeja", "kemeja flanel", "jaket", "jaket denim", "jaket kulit", "jaket parasut", "hoodie",
           "sweater", "crewneck", "cardigan", "blazer", "coat", "parka", "windbreaker", "polo shirt", "kaos band",
           "jersey bola", "rompi", "blouse", "tunik", "dress", "gaun", "kemeja batik", "jaket varsity",
           "jaket bomber", "kemeja kotak", "t-shirt", "tanktop", "jas", "mantel", "sweatshirt", "celana jeans",
           "celana cargo", "celana chino", "celana pendek", "rok", "rok plisket", "jeans", "celana kulot",
           "celana training", "overall", "gamis", "kebaya", "piyama", "daster", "baju anak", "baju", "pakaian",
           "kemeja wanita", "kaos oblong", "jaket gunung", "baju tidur", "longdress", "kulot", "setelan",
           "outer", "vest", "topi", "jumpsuit", "celana", "atasan", "hijab", "mukena", "koko"]
SHOES = ["sepatu", "sneakers", "sepatu lari", "boots", "sepatu kulit", "sepatu basket", "sandal", "loafers",
         "sepatu boots", "heels", "sepatu futsal", "flat shoes", "slip on", "sepatu sekolah", "pantofel"]
BAGS = ["tas", "tas selempang", "tas ransel", "backpack", "tote bag", "sling bag", "handbag", "dompet",
        "tas kulit", "waist bag", "tas wanita", "clutch", "tas laptop", "ransel", "totebag"]
ITEMS_EN = ["jacket", "hoodie", "denim jacket", "shirt", "t-shirt", "jeans", "sweater", "coat", "dress",
            "clothes", "sneakers", "bag", "flannel shirt", "cargo pants", "shoes", "handbag", "clothing"]
GLOBAL_BRANDS = ["Uniqlo", "Zara", "H&M", "Levi's", "Nike", "Adidas", "Carhartt", "Dickies", "The North Face",
                 "Patagonia", "Polo Ralph Lauren", "Tommy Hilfiger", "GAP", "Champion", "Stussy", "Supreme",
                 "Columbia", "Lacoste", "Burberry", "Converse", "Vans", "New Balance", "Coach", "Michael Kors",
                 "Kappa", "Fila", "Puma", "Reebok", "Lee", "Wrangler", "Mango", "GU", "Beams", "Muji", "Mizuno",
                 "Asics", "Onitsuka", "Harley Davidson", "Disney", "Ellesse", "Umbro", "Gucci", "Prada", "Kate Spade"]
LOCAL_BRANDS = ["Erigo", "Eiger", "Roughneck", "Thanksinsomnia", "Cotton Ink", "Wearing Klamby", "Buttonscarves",
                "Elzatta", "Rabbani", "Brodo", "Compass", "Ventela", "Aerostreet", "Greenlight", "Executive",
                "Hammer", "Cardinal", "Jiniso", "Screamous", "Kick Denim", "Dagadu", "Lois Jeans", "Zoya", "Nevada"]
ORIGINS = ["Korea", "Jepang", "Japan", "USA", "Amerika", "Eropa", "UK", "Hongkong", "Taiwan", "Jerman", "Australia",
           "Singapura", "Kanada", "Thailand", "China", "Italia"]
ORIGINS_EN = ["Japan", "Korea", "USA", "Europe", "UK", "Germany", "Canada", "Australia"]
COLOURS = ["hitam", "putih", "navy", "abu", "army", "coklat", "cream", "merah", "biru", "hijau", "maroon", "denim",
           "mustard", "pink", "ungu", "olive", "khaki"]
MODIFIERS = ["pria", "wanita", "unisex", "anak", "premium", "oversize", "slim fit", "lengan panjang",
             "lengan pendek", "casual", "formal", "terbaru", "murah", "original", "distro", "korean style",
             "motif bunga", "polos", "jumbo", "big size", "kekinian", "hits", "cowok", "cewek", "remaja"]
USED_OTHER_THINGS = ["Tomica", "Hot Wheels", "Lego", "action figure", "kamera analog", "kamera Canon", "lensa Nikon",
                     "HP Samsung", "iPhone 11", "laptop ThinkPad", "buku novel", "komik Jepang", "majalah lawas",
                     "piringan hitam", "kaset pita", "vinyl", "walkman Sony", "gitar Yamaha", "keyboard Casio",
                     "sepeda lipat", "velg mobil", "spion motor", "part mobil", "mesin jahit", "rice cooker",
                     "piring keramik", "mangkok antik", "teko", "setrika", "kipas angin", "meja lipat",
                     "kursi kayu", "lampu meja", "jam dinding", "radio tua", "tamiya", "gundam", "mainan anak",
                     "puzzle", "green bean kopi", "biji kopi", "stroller bayi", "car seat", "monitor LG",
                     "PS4", "Nintendo Switch", "speaker", "printer", "obeng set", "bor listrik", "tenda camping",
                     "raket badminton", "stik golf", "bola basket", "akuarium", "pot bunga", "vas bunga", "sepeda"]

# What the clothing gate learns besides the goods above: ordinary titles of every other kind of
# product a marketplace sells (kitchen, tools, electronics, beauty, snacks...), written apart from
# the generator. Real titles are mostly fashion and food, and a title the gate cannot place reads
# as clothing, so the trade's words beside an unfamiliar product were read as clothing too.
OTHER_GOODS_PATH = Path(__file__).resolve().parent / "other_goods.txt"


def other_goods(path: Path = OTHER_GOODS_PATH) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


FOOD = ["kopi arabika", "kopi robusta", "beras premium", "gula pasir", "keripik singkong", "kerupuk", "teh celup",
        "tepung terigu", "kacang tanah", "jagung", "cabai kering", "garam", "plastik kresek", "kantong plastik",
        "gabah", "kedelai", "bawang putih", "makaroni", "biskuit"]

# ----------------------------------------------------------------------------------------------
# Boilerplate: shared by both classes. None of it says anything about new, used or imported.
# ----------------------------------------------------------------------------------------------

GREETINGS = ["Halo kak, selamat datang di toko kami!", "Hai kak, terima kasih sudah mampir.", "Welcome to our store.",
             "Selamat berbelanja kak.", "Halo Bunda, silakan dipilih.", "Assalamualaikum kak.", "Hallo gan!",
             "Hi kak, happy shopping ya.", "Selamat datang di {shop}.", "Halo sis, cek dulu deskripsinya ya."]
SHIPPING = ["Pengiriman setiap hari kecuali Minggu dan tanggal merah.", "Order sebelum jam {hour}.00 dikirim hari ini.",
            "Pesanan di atas jam {hour} dikirim besok.", "Kirim pakai JNE, J&T, SiCepat, AnterAja.",
            "Bisa COD (bayar di tempat).", "Free ongkir sesuai ketentuan marketplace.", "Pengiriman dari {city}.",
            "Resi diupdate malam hari.", "Packing aman pakai bubble wrap dan kardus.", "Bisa instant kurir Gojek / Grab.",
            "Same day untuk area {city}.", "Ekspedisi dipilih saat checkout.", "Barang dikirim H+1 setelah pembayaran.",
            "Pengiriman Senin sampai Sabtu.", "Packing rapi, dijamin aman sampai tujuan."]
RULES = ["Wajib video unboxing untuk komplain.", "Komplain tanpa video unboxing tidak kami layani.",
         "Tidak menerima tukar barang kecuali salah kirim.", "Retur maksimal 2x24 jam setelah barang diterima.",
         "Pastikan alamat lengkap sebelum checkout.", "Mohon beri bintang 5 jika puas.",
         "Barang yang sudah dibeli tidak dapat dikembalikan.", "Jangan lupa konfirmasi pesanan diterima ya kak.",
         "Tanyakan stok sebelum order.", "Chat admin untuk info lebih lanjut.", "No cancel setelah diproses.",
         "Warna bisa sedikit berbeda karena pencahayaan foto.", "Sebutkan warna dan ukuran di catatan.",
         "No retur ya kak.", "Cuma 1 pcs, siapa cepat dapat.", "One piece only.", "Barang tidak bisa ditukar.",
         "Pesanan tanpa catatan akan dikirim random.", "Kesalahan ukuran bukan tanggung jawab kami."]
CARE = ["Cuci dengan tangan, air dingin.", "Jangan gunakan pemutih.", "Setrika dengan suhu rendah.",
        "Jemur di tempat teduh, jangan langsung di bawah matahari.", "Pisahkan dengan pakaian berwarna saat mencuci.",
        "Jangan direndam terlalu lama.", "Cuci terbalik agar sablon awet.", "Dry clean only untuk bahan tertentu.",
        "Simpan di tempat kering.", "Bersihkan dengan kain lembab.", "Gunakan deterjen lembut."]
CHAT = ["Chat admin akan dibalas secepatnya.", "Pesan di luar jam kerja dibalas besok pagi.",
        "Kalau ada pertanyaan silakan chat, kami balas secepatnya.", "Pengiriman ke luar kota pakai ekspedisi reguler.",
        "Ongkir luar pulau menyesuaikan.", "Bisa kirim ke luar Jawa.", "Barang tidak bisa dikembalikan setelah dipakai.",
        "Uang kembali jika barang tidak sesuai.", "Balasan chat paling lambat 1x24 jam.", "Mohon sabar menunggu balasan.",
        "Bagian luar bahan parasut, bagian dalam furing.", "Tersedia ongkir ke seluruh Indonesia dan luar negeri.",
        "Tanya-tanya dulu boleh kak, pasti dibalas.", "Kami kembalikan dana penuh jika barang rusak.",
        "Pemesanan di luar jam operasional diproses esok hari.", "Terima kasih atas kepercayaannya, sampai jumpa kembali.",
        "Jangan lupa beri ulasan ya kak.", "Pastikan nomor HP aktif untuk kurir.", "Hari libur nasional toko tutup.",
        "Produk dikemas dengan plastik dan kardus tebal.", "Untuk pembelian banyak silakan hubungi admin dulu.",
        "Garansi jahitan 7 hari.", "Pilih varian sesuai keinginan.", "Cocok dijadikan kado ulang tahun."]
# Condition notes: a garment's state is not the law (a person's own preloved is legal); both classes
# share them.
CONDITION = ["Kondisi {pct}% mulus.", "Minus pemakaian wajar, cek foto.", "Ada noda kecil di lengan.",
             "Warna sedikit pudar.", "Kondisi masih bagus, jahitan kuat.", "Minus tipis tidak kelihatan.",
             "Kondisi {pct}%, no minus.", "Sudah dicuci dan disetrika.", "Like new, jarang dipakai."]
SHOP = ["Follow toko kami untuk update produk terbaru.", "Jangan lupa follow dan favoritkan toko ya.",
        "Terima kasih sudah berbelanja.", "Terima kasih!", "Happy shopping!", "Dropship welcome.",
        "Reseller dan dropshipper dipersilakan.", "Jam operasional 08.00 - 17.00 WIB.",
        "Admin fast respon pada jam kerja.", "Cek etalase lain untuk model menarik lainnya.",
        "Kepuasan pelanggan prioritas kami.", "Toko kami buka setiap hari.", "Grosir chat admin.",
        "Stok update setiap hari.", "Pembayaran lewat marketplace saja, jangan transfer di luar aplikasi."]
SPEC = ["Bahan: {fabric}.", "Material {fabric}, adem dan nyaman.", "Warna: {colour}.", "Tersedia warna {colour} dan {colour2}.",
        "Ukuran: {size}.", "Model memakai ukuran {size}.", "Jahitan rapi dan kuat.", "Cocok untuk acara santai maupun formal.",
        "Berat {grams} gram.", "Fit to {size}.", "Bahan tidak menerawang.", "Nyaman dipakai seharian.",
        "Detail kancing depan.", "Ada saku di kiri dan kanan.", "Resleting berfungsi dengan baik.",
        "Cocok untuk hangout, kuliah dan kerja.", "Ukuran kaki {shoe} sampai {shoe2}.", "Sol karet anti slip.",
        "Muat laptop 14 inch.", "Tali bisa diatur panjang pendeknya.", "Ada kantong dalam.", "Harga {price}/pcs.",
        "Harga tertera untuk 1 pcs.", "Stok terbatas.", "Ready stock sesuai foto ya kak.", "Real picture.",
        "Foto asli produk.", "All size fit to L.", "Bahan stretch, melar mengikuti badan.", "Tersedia ukuran {size} - {size2}."]
FABRICS = ["cotton combed 30s", "katun", "drill", "denim", "fleece", "babyterry", "linen", "rayon", "polyester",
           "kanvas", "kulit sintetis", "corduroy", "wolfis", "jersey", "ceruty", "flanel", "satin", "twill"]
CITIES = ["Jakarta", "Bandung", "Surabaya", "Medan", "Makassar", "Yogyakarta", "Semarang", "Malang", "Tangerang",
          "Depok", "Bogor", "Solo", "Palembang", "Denpasar", "Pontianak", "Batam", "Kendari"]
EMOJI_BULLETS = ["\u2705", "\u2714\ufe0f", "\U0001f449", "\u2728", "\U0001f338", "\u25aa\ufe0f", "\U0001f4e6",
                 "\U0001f69a", "-", "*", "\u2022"]
EMOJI_TAILS = ["", "", " \U0001f60a", " \U0001f64f", " \u2764\ufe0f", " \U0001f525", " \U0001f60d"]


# ----------------------------------------------------------------------------------------------
# Signals: what a seller of imported used clothing says. {o} origin, {oe} origin in English,
# {item} the carrier's item word, {pct} a condition percentage.
# ----------------------------------------------------------------------------------------------

SIGNALS: dict[str, dict[str, list[str]]] = {
    "explicit": {
        "title": ["bekas impor", "bekas import", "baju bekas impor", "pakaian bekas import", "bekas luar negeri",
                  "second impor", "second import {o}", "bekas {o}", "import bekas", "thrift", "thrift impor",
                  "thrift {o}", "thrifting", "thrift shop", "barang thrift", "used import", "bekas branded impor",
                  "seken impor", "2nd import", "sekenan impor", "bekas import {o}", "thrift original",
                  "thrift ori {o}", "bekas ex impor", "secondhand impor", "pakaian bekas impor"],
        "description": ["Barang bekas impor dari {o}, kondisi {pct}%.", "Ini pakaian bekas import ya kak.",
                        "Thrift impor pilihan, sudah dicuci bersih.", "Kami jual baju bekas luar negeri kualitas bagus",
                        "Barang second import {o}, cek foto untuk minus", "{item} bekas impor, bukan barang baru.",
                        "Produk thrift, bukan barang baru ya kak.", "Kondisi bekas impor, layak pakai",
                        "Semua barang di toko ini thrift impor {o}", "Barang bekas import, minus wajar pemakaian",
                        "Thrift shop {o}, stok tiap minggu beda", "Pakaian bekas dari luar negeri, sudah laundry",
                        "Ready {item} thrift {o}", "Barang seken impor, no retur", "Bekas impor {o}. Kondisi {pct}%."],
    },
    "bale_trade": {
        "title": ["bal {o}", "1 bal", "balpres", "bal press {o}", "bal segel", "buka bal", "karungan", "karungan {o}",
                  "kiloan", "grade A sortiran", "sortiran bal", "bal campur", "bal 100 kg", "bal isi 450 pcs",
                  "balan pendek", "live buka karung", "bal kode 108", "karung import", "per bal", "bal korea campur",
                  "bal grade B", "ball press", "karungan {o} grade A", "kiloan impor", "bal kepala"],
        "description": ["1 bal isi {pcs} pcs, berat {kg} kg.", "Harga per bal {price}, bisa pilih grade {grade}.",
                        "Karungan {o} belum dibuka, segel asli.", "Kiloan {k}rb per kg, minimal 5 kg",
                        "Live buka bal setiap Sabtu malam", "Sortiran grade {grade} dari bal {o}.",
                        "Balan pendek isi {pcs} pcs cocok untuk pemula usaha", "Bal segel {o}, isi {item} campur",
                        "Open bal baru datang, langsung sortir", "Ambil per karung lebih murah kak",
                        "Bal kode 108 isi jaket semua", "Sistem kiloan, bebas pilih", "Grade kepala, badan dan kaki tersedia",
                        "Bisa ecer atau per bal", "Restock bal tiap minggu dari {o}"],
    },
    "regional_slang": {
        "title": ["awul-awul", "awul awul", "ngawul", "rombengan", "baju rombeng", "baju RB", "babebo", "cakar",
                  "cakaran", "pakaian cakar", "barang cakar", "obok-obok", "baju batam", "burukan jambi",
                  "burukan", "baju monza", "monza medan", "burukan jerman", "pakaian lelong", "lelong", "awulan",
                  "cakar import", "barang monza", "baju awul", "RB kendari", "baju BJ"],
        "description": ["Barang awul-awul pilihan, murah meriah.", "Cakaran {o} baru bongkar", "Baju monza kualitas oke",
                        "Ini barang cakar ya kak, bukan baru", "Rombengan pilihan, harga miring",
                        "Stok awul baru datang hari ini", "Burukan jambi, kondisi masih bagus",
                        "Babebo alias baju bekas bos, kualitas import", "Barang obok-obok murah, silakan pilih",
                        "Pakaian lelong dari {o}", "Baju batam kondisi {pct}%", "Monza medan asli, bukan KW",
                        "Ngawul dulu kak, barang baru turun", "Burukan Jerman stok terbatas", "RB murah meriah"],
    },
    "euphemism": {
        "title": ["preloved ex {o}", "ex {o}", "ori luar", "original luar", "hunting {o}", "hasil hunting",
                  "barang luar", "like new ex {o}", "second branded ex {o}", "sortiran {o}", "import {o} preloved",
                  "preloved import", "preloved ex import", "eks {o}", "ex import", "seken branded luar",
                  "preloved branded {o}", "hunting luar", "preloved luar negeri"],
        "description": ["Preloved ex {o}, kondisi {pct}%.", "Barang ori luar, bukan lokal", "Hasil hunting di {o}",
                        "Barang luar kondisi like new", "Ex {o} semua ya kak", "Sortiran {o} pilihan terbaik",
                        "Preloved import, minus pemakaian wajar", "Barang hunting dari {o}, cuma 1 pcs",
                        "Original luar, sudah dicuci dan disetrika", "Second branded ex {o}",
                        "Barang eks {o}, kondisi {pct}%", "Preloved luar negeri"],
    },
    "english": {
        "title": ["used clothing", "used clothes bale", "secondhand {ie}", "thrift haul", "preloved from {oe}",
                  "imported used", "used {ie} from {oe}", "second hand {ie} imported", "used {ie} bale",
                  "thrifted {ie}", "pre-owned {ie} {oe}", "used import"],
        "description": ["Used clothes imported from {oe}, condition {pct}%.", "Secondhand {ie} from {oe}",
                        "Bale of {pcs} pieces, new stock every week.", "Thrifted in {oe}, washed and ready to wear",
                        "Used {ie}, minor defects, sold as is.", "Pre-owned imported {ie}",
                        "Wholesale used clothing, mixed bale", "Imported second hand {ie}, grade A"],
    },
}
GENERIC_CUES = [", bekas impor", " (thrift)", ", barang bekas", " import", ", second impor", " preloved", " ex impor",
                ", pakaian bekas", " - thrift impor", ", bekas luar negeri", " (second)", ", import bekas"]
# Implicit cues: a single one is not enough (a person's own preloved, a legal import, any shop),
# an origin together with the trade's habits (stock that changes every week, one piece of each,
# no returns) is the trade; a condition note may come with them.
ORIGIN_CUES = ["from {oe}", "dari {o}", "tag {o}", "label {o}", "asli {o}", "made in {oe} (tag)", "datang dari {o}",
               "langsung dari {o}", "asal {o}", "{oe} market", "barang {o}", "dikirim dari {o}", "ex market {o}"]
CONDITION_CUES = ["kondisi {pct}%", "minus pemakaian wajar", "ada noda kecil", "warna sedikit pudar",
                  "minus noda dikit", "{pct}% mulus", "minus tipis"]
TRADE_CUES = ["stok beda tiap minggu", "restock tiap minggu", "barang datang tiap minggu", "hasil hunting",
              "harga miring branded", "model random tiap minggu", "stok dari gudang impor", "datang per karung",
              "branded semua harga miring", "barang baru datang dari kapal", "stok tiap minggu ganti",
              "barang datang seminggu sekali", "tiap item cuma satu", "stok random tiap datang", "restock setiap Jumat",
              "koleksi berganti tiap minggu", "hasil seleksi dari gudang", "hasil kurasi tiap minggu",
              "model tidak ada yang sama", "dipilih satu-satu dari tumpukan", "datang langsung dari pelabuhan"]

# Traps: legal look-alikes used for the twins and for negatives of their own.
TRAPS: dict[str, dict[str, list[str]]] = {
    "compliance": {
        "title": ["100% baru", "bukan thrift", "baru bukan bekas", "new with tag", "brand new", "BNWT",
                  "barang baru", "anti thrift", "100% new", "baru segel", "bukan bekas impor", "bukan preloved",
                  "bukan second", "no thrift", "baru bukan thrift", "bukan barang bekas"],
        "description": ["Barang baru 100%, bukan thrift.", "Bukan barang bekas, dijamin baru", "100% baru, bukan thrift",
                        "Produk baru, bukan preloved", "Bukan barang bekas impor", "Brand new with tag",
                        "Kami tidak menjual barang thrift", "Dijamin baru, bukan barang second",
                        "Bukan bekas ya kak, masih segel", "Baru, bukan sisa pakai", "Bukan barang bekas impor ya kak",
                        "Kami tidak menjual pakaian bekas impor sesuai aturan pemerintah", "No thrift, no preloved",
                        "Bukan dari bal atau karungan", "Dijamin bukan barang bekas", "100% baru, bukan bekas impor",
                        "Barang baru, bukan thrift import", "Bukan second, bukan reject", "Tidak menerima barang bekas",
                        "Stok baru dari konveksi, bukan barang bekas luar negeri", "Bukan barang sortiran",
                        "Toko ini mendukung larangan impor pakaian bekas", "Bukan preloved, masih ada tag"],
    },
    "bahan_import": {
        "title": ["bahan import", "kain import", "premium import", "import quality", "import korea",
                  "impor", "import", "model korea", "style jepang", "korean style"],
        "description": ["Bahan import, lembut dan adem.", "Kain import kualitas premium", "Produk import baru",
                        "Model korea terbaru", "Impor langsung dari pabrik, baru", "Barang import ready stock",
                        "Bahan import premium, tidak luntur"],
    },
    "vintage_style": {
        "title": ["vintage", "retro", "oversize vintage", "washed vintage", "vintage style", "old school", "y2k",
                  "vintage wash", "retro 90s", "vintage look"],
        "description": ["Model vintage, baru dari konveksi kami.", "Gaya retro tapi barang baru", "Efek washed vintage",
                        "Look ala 90an, produksi sendiri", "Desain vintage 90an, bahan baru"],
    },
    "reject_export": {
        "title": ["sisa ekspor", "reject ekspor", "overrun", "BS pabrik", "kualitas ekspor", "sisa export"],
        "description": ["Sisa ekspor pabrik Bandung, baru.", "Overrun garmen lokal, kualitas ekspor",
                        "Reject ekspor, cacat minor, barang baru", "BS pabrik, jahitan sedikit miring",
                        "Overrun ekspor {o}, produksi pabrik lokal", "Sisa ekspor, baru dengan label brand luar",
                        "Kualitas ekspor, jahitan rapi, barang baru"],
    },
    "personal_preloved": {
        "title": ["preloved pribadi", "preloved", "second pribadi", "jarang pakai", "like new", "bekas pakai sendiri",
                  "second", "bekas", "lemari cleaning", "dipakai 2x", "preloved like new", "second mulus",
                  "bekas kondisi {pct}%", "preloved murah"],
        "description": ["Preloved pribadi, dipakai 2x.", "Jual karena kekecilan, jarang dipakai",
                        "Lemari cleaning, kondisi {pct}%", "Bekas pakai sendiri, masih bagus",
                        "Dipakai sekali ke kondangan", "Second pribadi, bukan barang dagangan",
                        "Preloved punya sendiri, dari toko resmi", "Jarang dipakai, jual cepat",
                        "Kondisi {pct}%, minus pemakaian, punya pribadi", "Dibeli di mall, baru dipakai sekali",
                        "Jual rugi, kebesaran", "Dari lemari sendiri, masih bagus", "Dibeli waktu liburan ke {o}, jarang dipakai",
                        "Preloved, ada noda kecil, harga nego", "Second pribadi, minus tipis"],
    },
    "legal_import": {
        "title": ["original store {o}", "jastip {o}", "ori store", "jastip", "official store", "beli di {o} baru",
                  "import {o} original", "original {o}", "impor resmi", "PO {o}", "made in {oe}", "ori {o} new"],
        "description": ["Jastip {o}, barang baru dengan struk.", "Dibeli baru di official store {o}, ada nota",
                        "Original store, tag lengkap", "Jastip baru, bukan preloved", "Import resmi, ada invoice",
                        "Barang import {o} original, baru dengan tag", "PO {o} 2 minggu, barang baru",
                        "Didatangkan langsung dari {o}, baru segel", "Original {o}, bukan KW, masih tag",
                        "Made in {oe}, produk baru dengan label resmi", "Impor dari {o} lewat distributor resmi"],
    },
    "local_brand": {
        "title": ["3Second", "3SECOND", "second skin", "Second Step", "2nd edition", "seri 2nd", "3 second"],
        "description": ["Produk resmi 3Second.", "Koleksi 3SECOND terbaru", "Bahan second skin, pas di badan",
                        "Edisi 2nd, lebih nyaman"],
    },
    "bekasi": {
        "title": ["Bekasi", "kirim dari Bekasi", "gudang Bekasi", "Bekasi Timur", "ready Bekasi"],
        "description": ["Gudang kami di Bekasi.", "Pengiriman dari Kota Bekasi", "Toko offline di Bekasi Barat",
                        "COD area Bekasi"],
    },
    "tanpa_bekas": {
        "title": ["tanpa bekas", "anti bekas lipatan", "tidak meninggalkan bekas", "bekas jerawat"],
        "description": ["Setrika uap, lipatan hilang tanpa bekas.", "Noda hilang tanpa bekas",
                        "Tidak meninggalkan bekas di kulit", "Tali tidak membekas di bahu"],
    },
    "cakar_design": {
        "title": ["motif cakar", "cakar harimau", "sablon cakar", "cakar naga"],
        "description": ["Sablon motif cakar harimau.", "Desain cakar kucing lucu", "Bordir cakar naga"],
    },
    "monza_line": {
        "title": ["Monza series", "seri Monza", "Monza"],
        "description": ["Seri Monza dari brand kami.", "Koleksi Monza edisi terbatas"],
    },
    "paket_hemat": {
        "title": ["paket hemat", "paket usaha", "grosir", "borongan", "lusinan", "isi 3 pcs"],
        "description": ["Paket hemat isi 3, barang baru.", "Harga grosir untuk pembelian lusinan",
                        "Paket usaha konveksi Tanah Abang", "Borongan dari konveksi, baru semua"],
    },
}
# Words that hold a trade word inside them ("bal" in balaclava, "ball" in basketball, "bekas" in
# Bekasi): the trade word counts, the longer word does not.
TRAPS["lookalike"] = {
    "title": ["balaclava", "jaket balap", "balon", "global", "herbal", "baju balita", "Balenciaga style", "Balmain",
              "ballerina flat", "ballet", "football", "basketball", "baseball cap", "volleyball", "importir resmi",
              "seconds", "karungut", "bekasan lipatan", "kiloan laundry", "seken-seken"],
    "description": ["Cocok untuk balita.", "Bisa dipakai balapan motor.", "Pengiriman global.", "Bahan herbal alami.",
                    "Model ballerina.", "Dipakai main basketball.", "Dari importir resmi, baru.", "Tahan 5 seconds.",
                    "Laundry kiloan dekat toko kami.", "Kirim kembali jika salah ukuran."],
}
# Phrases of about a signal's length that say nothing: a twin's title or description gets one where
# its positive got the signal, so a signal is never also a longer text.
NEUTRAL = {
    "title": ["terbaru", "original", "murah", "premium quality", "ready stock", "best seller", "kekinian",
              "size M L XL", "promo", "free pouch", "bisa COD", "kualitas terbaik", "model terbaru", "nyaman dipakai",
              "real pict", "limited edition", "grosir ecer", "bahan adem", "fit to L", "warna lengkap", "dijamin puas",
              "harga pabrik", "free ongkir", "hits", "viral"],
}


# Traps that only make sense on goods that are not clothing (bulk food, "1 bal kopi").
FOOD_TRAPS = ["1 bal", "isi 6 karung", "karungan", "kiloan", "per karung", "sortiran grade A", "1 bal isi 20",
              "per bal", "grosir kiloan", "1 bal isi 10 pack", "karung 50 kg", "grade A super", "sortir manual",
              "bal besar", "per kg", "1 karung", "ecer dan bal", "impor {o}", "ex {o}", "kualitas ekspor"]

# ----------------------------------------------------------------------------------------------
# Evasion families: how a seller disguises a signal's words
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
             "bekas": ["bks", "bkas", "bekaz", "bekass", "bkss"], "preloved": ["prelop", "prelov", "preelove",
             "prlvd", "preloveed", "priloved"], "karungan": ["karungn", "krgn", "karongan"], "bal": ["bale", "baal"],
             "balpres": ["balpress", "bal pres", "bllpres"], "awul-awul": ["awol awol", "awulawul"],
             "import": ["imporr", "inport", "imprt"], "impor": ["imporr", "inpor", "impr"],
             "rombengan": ["rombeng", "rombengn"], "cakar": ["cakarr", "cakr"], "cakaran": ["cakarn", "ckaran"]}


def _style_fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


def _named(prefix: str, ch: str) -> str:
    name = f"{prefix} {'CAPITAL' if ch.isupper() else 'SMALL'} {ch.upper()}"
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return ch


class _Gen:
    """One seeded random source and the helpers every template uses."""

    def __init__(self, seed: int, text_pool: Sequence[str] = ()) -> None:
        self.r = random.Random(seed)
        self.text_pool = text_pool  # real titles: ordinary marketplace text for descriptions

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def fill(self, template: str, item: str = "baju", item_en: str | None = None) -> str:
        r = self.r
        slots = {
            "o": lambda: self.pick(ORIGINS), "oe": lambda: self.pick(ORIGINS_EN), "item": lambda: item,
            "ie": lambda: item_en or self.pick(ITEMS_EN), "pct": lambda: str(self.pick([80, 85, 88, 90, 90, 92, 95, 98])),
            "pcs": lambda: str(self.pick([150, 200, 300, 450, 500])), "kg": lambda: str(self.pick([25, 45, 50, 100])),
            "k": lambda: str(r.randint(20, 150)), "grade": lambda: self.pick(["A", "B", "S", "A+"]),
            "price": lambda: self.price(), "shop": lambda: self.pick(["toko kami", "Rumah Fashion", "Galeri Kita",
                                                                     "Maju Jaya Store", "Sinar Shop"]),
            "city": lambda: self.pick(CITIES), "hour": lambda: str(r.randint(12, 17)),
            "fabric": lambda: self.pick(FABRICS), "colour": lambda: self.pick(COLOURS),
            "colour2": lambda: self.pick(COLOURS), "size": lambda: self.pick(["S", "M", "L", "XL", "XXL"]),
            "size2": lambda: self.pick(["L", "XL", "XXL", "3XL"]), "grams": lambda: str(r.randint(150, 900)),
            "shoe": lambda: str(r.randint(36, 39)), "shoe2": lambda: str(r.randint(40, 45)),
        }
        return re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)](), template)

    def price(self) -> str:
        value = self.pick([self.r.randint(15, 350) * 1000, self.r.randint(2, 15) * 1_000_000])
        return self.pick([f"Rp{value:,}".replace(",", "."), f"{value // 1000}rb", f"Rp {value // 1000}k",
                          f"IDR {value:,}"])

    def case(self, text: str) -> str:
        style = self.r.random()
        if style < 0.4:
            return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
        if style < 0.55:
            return text.upper()
        if style < 0.85:
            return text
        return text.lower()

    # -- evasions ---------------------------------------------------------------------------

    def evade_word(self, family: str, word: str) -> str:
        return getattr(self, "_" + family)(word)

    def evade(self, family: str, text: str, share: float = 1.0) -> str:
        words = text.split(" ")
        targets = [i for i, w in enumerate(words) if len(w) > 2 and not w.startswith("{")]
        if not targets:
            return text
        chosen = [i for i in targets if self.chance(share)] or [self.pick(targets)]
        for i in chosen:
            words[i] = self.evade_word(family, words[i])
        return " ".join(words)

    def _homoglyphs(self, word: str) -> str:
        style = self.pick(["cyrillic", "cyrillic", "greek", "fullwidth", "smallcaps", "math", "circled", "mixed"])
        if style == "cyrillic":
            return "".join(_CYRILLIC.get(c, c) if self.chance(0.7) else c for c in word)
        if style == "greek":
            return "".join(_GREEK.get(c, c) if self.chance(0.7) else c for c in word)
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
            prefix = self.pick(["MATHEMATICAL BOLD", "MATHEMATICAL ITALIC", "MATHEMATICAL SANS-SERIF BOLD",
                                "MATHEMATICAL DOUBLE-STRUCK", "MATHEMATICAL MONOSPACE", "MATHEMATICAL BOLD SCRIPT"])
            return "".join(_named(prefix, c) if c.isascii() and c.isalpha() else c for c in word)
        if style == "circled":
            return "".join(_named("CIRCLED LATIN", c) if c.isascii() and c.isalpha() else c for c in word)
        mixed = {**_GREEK, **_CYRILLIC}
        return "".join(mixed.get(c, c) for c in word)

    def _leetspeak(self, word: str) -> str:
        letters = [i for i, c in enumerate(word) if c.lower() in _LEET and 0 < i < len(word) - 1]
        if not letters:
            return word
        chosen = set(self.r.sample(letters, max(1, min(len(letters), self.r.randint(1, 3)))))
        return "".join(self.pick(_LEET[c.lower()]) if i in chosen else c for i, c in enumerate(word))

    def _separators(self, word: str) -> str:
        if len(word) < 3:
            return word
        if self.chance(0.6):
            return self.pick([".", " ", "-", "_", "*", "•", " . ", "·", "/", "|"]).join(word)
        cut = self.r.randint(1, len(word) - 1)
        if min(cut, len(word) - cut) > 3:
            cut = self.pick([2, 3, len(word) - 2])
        return word[:cut] + self.pick(["-", ".", "_", "*"]) + word[cut:]

    def _zero_width(self, word: str) -> str:
        out = [word[0]]
        for ch in word[1:]:
            if self.chance(0.5):
                out.append(self.pick(_ZERO_WIDTH))
            out.append(ch)
        return "".join(out)

    def _misspelling(self, word: str) -> str:
        low = word.lower()
        if low in _MISSPELL and self.chance(0.6):
            return self.pick(_MISSPELL[low])
        if len(word) < 4:
            return word
        i = self.r.randint(1, len(word) - 2)
        op = self.r.randrange(4)
        if op == 0:
            return word[:i] + word[i + 1 :]
        if op == 1:
            return word[:i] + word[i] + word[i:]
        if op == 2:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        vowels = "aeiou"
        if word[i].lower() in vowels:
            return word[:i] + self.pick([v for v in vowels if v != word[i].lower()]) + word[i + 1 :]
        return word[:i] + word[i + 1 :]


# ----------------------------------------------------------------------------------------------
# Carriers
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Carrier:
    title: str
    item: str  # a clothing / shoe / bag word, or the thing sold
    kind: str  # "clothes", "shoes", "bags", "other", "food"


# Category leaves outside fashion that still sell what HS 6309 covers: sports shoes and bras,
# hiking sandals, laptop backpacks, motorcycle jackets and gloves. Read as "other", they made
# used sandals with thrift words a legal listing and told the clothing gate that a backpack is
# not a bag.
_SHOE_LEAVES = {"sepatu", "sandal", "sneakers", "boots", "heels", "sandals", "selop", "slipper"}
_BAG_LEAVES = {"tas", "dompet", "ransel", "koper", "backpack", "clutch", "totebag", "pouch", "bag"}
_CLOTHING_LEAVES = {"jaket", "jas", "bra", "celana", "legging", "setelan", "jersey", "kaos", "kostum", "seragam",
                    "kimono", "baju", "pakaian", "topi", "balaclava"}
# Accessories that are worn textiles are "worn articles" of HS 6309 and come in the same bales:
# hats, beanies, scarves, ties, gloves, raincoats, hijab headpieces. Read as "other" (their
# category path says "aksesoris") they taught that "thrift impor" beside a hat is legal.
_WORN_ACCESSORIES = {"topi", "beanie", "scarf", "shawl", "syal", "dasi", "hujan", "headpiece", "balaclava"}
_GLOVES = {"sarung", "tangan"}  # "sarung-tangan-…" in any category; "sarung" alone is a sarong
# not worn, though the leaf names a garment: "helm sepatu roda", "lemari pakaian", "topi pesta"
_NOT_WORN = {"helm", "eksfoliasi", "kosmetik", "pesta", "kaca", "pewangi", "lemari", "pencuci", "jemuran"}


def _item_kind(category: str | None) -> str:
    """clothes, shoes, bags, food or other, from a Tokopedia category path."""
    path = (category or "").lower().split("/")
    words = {word for part in path[1:] for word in part.split("-")}
    leaf = set(path[-1].split("-")) if len(path) > 1 else set()
    if path[0] == "makanan-minuman":
        return "food"
    if not path[0].startswith("fashion"):
        if leaf & _NOT_WORN or path[0] in ("perlengkapan-pesta", "mainan-hobi", "office-stationery", "buku"):
            return "other"
        if leaf >= _GLOVES:
            return "clothes"
        for kind, names in (("shoes", _SHOE_LEAVES), ("bags", _BAG_LEAVES), ("clothes", _CLOTHING_LEAVES)):
            if leaf & names:
                return kind
        return "other"
    if words & _SHOE_LEAVES:
        return "shoes"
    if words & _BAG_LEAVES:
        return "bags"
    if leaf & _WORN_ACCESSORIES or leaf >= _GLOVES:
        return "clothes"
    if words & {"perhiasan", "jam", "kacamata", "rambut", "cincin", "kalung", "gelang", "anting", "bros",
                "aksesoris", "jepitan", "bando", "ikat", "gesper", "masker", "payung"}:
        return "other"
    return "clothes"


_ITEM_WORDS = {"clothes": CLOTHES, "shoes": SHOES, "bags": BAGS}


def _real_item(g: _Gen, title: str, kind: str) -> str:
    low = title.lower()
    words = _ITEM_WORDS.get(kind, [])
    found = [w for w in words if w in low]
    return max(found, key=len) if found else (g.pick(words) if words else title.split(" ")[0].lower())


def _synthetic_carrier(g: _Gen, kind: str) -> Carrier:
    if kind == "other":
        thing = g.pick(USED_OTHER_THINGS)
        extra = g.pick(["", "", g.pick(["original", "murah", "fullset", "lengkap", "mulus", "normal"])])
        return Carrier(" ".join(p for p in (thing, extra) if p), thing.lower(), "other")
    if kind == "food":
        thing = g.pick(FOOD)
        return Carrier(g.pick([thing, f"{thing} {g.r.randint(1, 25)} kg", f"{thing} murah"]), thing, "food")
    item = g.pick(_ITEM_WORDS[kind])
    shape = g.r.random()
    if shape < 0.25:
        title = item
    elif shape < 0.5:
        title = f"{item} {g.pick(GLOBAL_BRANDS + LOCAL_BRANDS)}" if g.chance(0.5) else f"{g.pick(GLOBAL_BRANDS)} {item}"
    elif shape < 0.75:
        title = f"{item} {g.pick(MODIFIERS)}"
    else:
        title = " ".join(p for p in (g.pick(GLOBAL_BRANDS + LOCAL_BRANDS + [""]), item, g.pick(MODIFIERS),
                                     g.pick(COLOURS + [""]), g.pick(["", "M", "L", "XL", "all size", "size 42"])) if p)
    return Carrier(title, item, kind)


# ----------------------------------------------------------------------------------------------
# Descriptions
# ----------------------------------------------------------------------------------------------


def _size_chart(g: _Gen) -> str:
    sizes = g.pick([["S", "M", "L", "XL"], ["M", "L", "XL", "XXL"], ["All size"], ["27", "28", "29", "30", "31", "32"]])
    rows = []
    for i, size in enumerate(sizes):
        ld, pj = 44 + 2 * i + g.r.randint(0, 3), 62 + 2 * i + g.r.randint(0, 3)
        rows.append(g.pick([f"{size} : LD {ld} cm PJ {pj} cm", f"{size} = LD {ld} x PJ {pj}", f"{size}: {ld}x{pj} cm",
                            f"Size {size} lebar dada {ld} panjang {pj}"]))
    head = g.pick(["Size chart:", "SIZE CHART", "Ukuran (cm):", "Detail ukuran:", "Size (toleransi 1-2 cm):"])
    return "\n".join([head, *rows])


def _bullets(g: _Gen, lines: list[str]) -> str:
    bullet = g.pick(EMOJI_BULLETS)
    return "\n".join(f"{bullet} {line}" for line in lines)


def _boilerplate_parts(g: _Gen, target: int) -> list[str]:
    """Ordinary description parts of about ``target`` characters in all."""
    pools = [SPEC, SPEC, SHIPPING, RULES, CARE, SHOP, CHAT]
    parts: list[str] = []
    if g.chance(0.4):
        parts.append(g.fill(g.pick(GREETINGS)))
    if target and g.chance(0.2):
        parts.append(g.fill(g.pick(CONDITION)))
    size = sum(map(len, parts))
    while size < target:
        choice = g.r.random()
        if choice < 0.1:
            part = _size_chart(g)
        elif choice < 0.25:
            part = _bullets(g, [g.fill(g.pick(g.pick(pools))).rstrip(".") for _ in range(g.r.randint(2, 6))])
        elif choice < 0.4:
            part = " ".join(g.fill(g.pick(g.pick(pools))) for _ in range(g.r.randint(2, 4)))
        elif choice < 0.6 and g.text_pool:
            part = _ordinary_sentence(g)
        else:
            part = g.fill(g.pick(g.pick(pools))) + g.pick(EMOJI_TAILS)
        parts.append(part)
        size += len(part) + 1
    return parts


def _ordinary_sentence(g: _Gen) -> str:
    """Ordinary marketplace text the pools do not know: a real title, or words of a few,
    as a sentence. Both classes get it, so text the model never saw says nothing."""
    words = " ".join(g.pick(g.text_pool) for _ in range(g.r.randint(1, 3))).split()
    start = g.r.randrange(max(1, len(words) - 4))
    chunk = " ".join(words[start : start + g.r.randint(4, 30)])
    return g.pick([chunk, chunk.lower(), chunk.capitalize() + ".", chunk + "."])


def _description_length(g: _Gen) -> int:
    """0 (no description) for about a third; else 50 to 2,000 characters, log-uniform."""
    if g.chance(0.33):
        return 0
    return int(50 * (40 ** g.r.random()))


def _join(parts: Sequence[str]) -> str:
    """Parts joined so that each starts a new segment: a line break, or a space after a part
    that ends a sentence (chosen by the part's own hash, so a pair's shared parts join alike)."""
    out = ""
    for part in parts:
        if not out:
            out = part
        elif out.rstrip()[-1:] in ".!?" and zlib.crc32(part.encode()) % 10 < 4:
            out += " " + part
        else:
            out += "\n" + part
    return out


# ----------------------------------------------------------------------------------------------
# Composition
# ----------------------------------------------------------------------------------------------


@dataclass
class _Draft:
    carrier: Carrier
    title_extra: str = ""  # put into the title (signal or trap)
    title_at: str = "end"
    parts: list[str] = field(default_factory=list)
    signal_part: int | None = None  # index into parts
    title_signal: bool = False


def _title_with(g: _Gen, title: str, extra: str, at: str) -> str:
    if not extra:
        return title
    if at == "start":
        return f"{extra} {title}"
    if at == "bracket":
        return f"[{extra}] {title}"
    if at == "dash":
        return f"{title} - {extra}"
    words = title.split(" ")
    if at == "middle" and len(words) > 2:
        cut = g.r.randint(1, len(words) - 1)
        return " ".join([*words[:cut], extra, *words[cut:]])
    return f"{title} {extra}"


def _finish(g: _Gen, sample_id: str, draft: _Draft, label: int, kind: str, families: Sequence[str],
            source: str, clothing: bool = True) -> Sample:
    title = g.case(_title_with(g, draft.carrier.title, draft.title_extra, draft.title_at))
    parts = draft.parts
    description = _join(parts)
    per_part = [model_input("", part).texts[1:] for part in parts]
    if list(model_input("", description).texts[1:]) != [text for texts in per_part for text in texts]:
        description = "\n".join(parts)  # a join read across parts ("L. U*s*e*d" glued): keep them apart
    signals: list[tuple[int, ...]] = []
    title_span = None
    if label and draft.title_signal:
        signals.append(())
        title_span = _words_at(model_input(title).tokens[0][1:], model_input(draft.title_extra).tokens[0][1:])
    if label and draft.signal_part is not None:
        first = 1 + sum(len(texts) for texts in per_part[: draft.signal_part])
        signals.append(tuple(range(first, first + len(per_part[draft.signal_part]))))
    return Sample(sample_id, title, description, label, kind, tuple(dict.fromkeys(families)), source,
                  tuple(signals), clothing=clothing, title_span=title_span)


def _words_at(words: Sequence[str], part: Sequence[str]) -> tuple[int, int] | None:
    """Where ``part`` occurs in ``words`` as a run, if it does exactly once."""
    if not part:
        return None
    found = [k for k in range(len(words) - len(part) + 1) if tuple(words[k : k + len(part)]) == tuple(part)]
    return (found[0], found[0] + len(part)) if len(found) == 1 else None


_CLOTHING_NOUNS = re.compile(r"baju|pakaian|cloth|\{ie\}|jaket|jacket", re.IGNORECASE)


def _signal_text(g: _Gen, family: str, where: str, item: str, clothing: bool = True) -> str:
    """A violation signal of ``family``; on goods that are not clothing (``clothing=False``) one
    that names no garment, so the clothing gate is not told that garments are something else."""
    if family == "implicit_only":
        cues = [g.fill(g.pick(ORIGIN_CUES)), g.fill(g.pick(TRADE_CUES))]
        if g.chance(0.6):
            cues.append(g.fill(g.pick(CONDITION_CUES)))
        g.r.shuffle(cues)
        return g.pick([", ", " ", " | ", ". "]).join(cues) if where == "title" else ", ".join(cues).capitalize() + "."
    choices = SIGNALS[family][where]
    if not clothing:
        choices = [text for text in choices if not _CLOTHING_NOUNS.search(text)] or ["bekas impor"]
    return g.fill(g.pick(choices), item, None if clothing else item)


# The words that make a signal a violation; a twin's minimal edit replaces them.
TRADE_WORDS = re.compile(
    r"\b(?:bekas|impor|import|imported|thrift\w*|bal|ball|balpres|karung\w*|kiloan|sortir\w*|second|seken\w*|"
    r"2nd|preloved|pre-loved|ex|eks|luar|hunting|awul\w*|ngawul|rombeng\w*|rb|babebo|cakar\w*|obok|monza|batam|"
    r"bj|burukan|lelong|used|secondhand|second hand|thrifted|pre-owned|bale|ori luar|grade|segel|buka|"
    r"restock|campur|jambi|jerman|kendari|medan|haul)\b", re.IGNORECASE)
MINIMAL_EDITS = ["baru", "lokal", "original", "premium", "new", "", "ready", "terbaru"]


def _minimal_edit(g: _Gen, text: str) -> str | None:
    """``text`` with its trade words replaced by plain ones: the smallest change that makes a
    signal legal (None when it has no trade word to replace)."""
    edited, count = TRADE_WORDS.subn(lambda _: g.pick(MINIMAL_EDITS), text)
    edited = re.sub(r"\s+", " ", edited).strip(" ,.-")
    return edited if count and edited else None


def _trap_text(g: _Gen, trap: str, where: str, item: str) -> str:
    if trap == "single_cue":  # one implicit cue alone: not the trade
        return g.fill(g.pick(g.pick([ORIGIN_CUES, CONDITION_CUES, TRADE_CUES])))
    if trap == "none":
        if where == "title":
            return g.fill(g.pick(NEUTRAL["title"]))
        return g.fill(g.pick(SPEC + SHIPPING + CHAT + RULES))
    return g.fill(g.pick(TRAPS[trap][where]), item)


def _place_in_description(g: _Gen, parts: list[str], text: str, item: str) -> int:
    if g.chance(0.5) and not text[:1].islower():
        text = g.pick(["", "", "Keterangan: ", "Note: ", "Info: ", "Kondisi: ", "PS: ", f"{item.capitalize()} ini "]) + text
    if g.chance(0.3):
        text += g.pick(EMOJI_TAILS)
    position = g.r.randint(0, len(parts))
    parts.insert(position, text)
    return position


def _carrier_for(g: _Gen, kind: str, real: Sequence[Sample]) -> Carrier:
    if real and kind in ("clothes", "shoes", "bags", "other", "food") and g.chance(0.75):
        for _ in range(20):
            sample = g.pick(real)
            if sample.kind == kind:
                return Carrier(sample.title, _real_item(g, sample.title, kind), kind)
    return _synthetic_carrier(g, kind)


def _bare_carrier(g: _Gen, kind: str) -> Carrier:
    item = g.pick(_ITEM_WORDS[kind] + (ITEMS_EN if kind == "clothes" else []))
    extra = g.pick(["", "", "", g.pick(MODIFIERS), g.pick(COLOURS), g.pick(GLOBAL_BRANDS + LOCAL_BRANDS)])
    return Carrier(f"{item} {extra}".strip(), item, kind)


def _pair(g: _Gen, sample_id: str, real: Sequence[Sample]) -> list[Sample]:
    """A positive and its counterfactual twin on one clothing, shoe or bag carrier."""
    kind = g.pick(["clothes"] * 6 + ["shoes", "bags"])
    # Thrift sellers often title a listing with little more than the garment ("Kemeja bekas
    # impor", "jaket thrift"): bare titles carry a pair as often as one in seven.
    carrier = _bare_carrier(g, kind) if g.chance(0.15) else _carrier_for(g, kind, real)
    family = g.pick(SIGNAL_FAMILIES + ("explicit", "bale_trade", "euphemism"))
    in_title = g.chance(0.5)
    evasion = g.pick(EVASION_FAMILIES) if g.chance(0.4) else None
    families = [family]
    if evasion:
        families.append(evasion)
    if kind in ("shoes", "bags"):
        families.append("shoes_bags")
    if not in_title:
        families.append("description_only")

    boilerplate = _boilerplate_parts(g, _description_length(g))
    form = "title" if in_title or g.chance(0.25) else "description"  # a bare phrase on a line of its own
    signal = plain_signal = _signal_text(g, family, form, carrier.item)
    if family != "explicit" and g.chance(0.35):
        # Sellers mix the trade's slang with its plain words ("cakaran, baju bekas impor"); a family
        # held out of training still shares those words with the rest, as real listings do.
        plain_signal = signal = f"{signal}{g.pick(GENERIC_CUES)}"
    if evasion:
        signal = g.evade(evasion, signal, share=g.pick([0.3, 0.6, 1.0]))
    at = g.pick(["end", "end", "start", "middle", "dash", "bracket"])

    positive = _Draft(carrier, parts=list(boilerplate))
    if in_title:
        positive.title_extra, positive.title_at, positive.title_signal = signal, at, True
    else:
        positive.signal_part = _place_in_description(g, positive.parts, signal, carrier.item)
    # "bukan barang baru" and its like belong to the trade too: negation is not a legal signal
    if g.chance(0.08):
        at_part = _place_in_description(g, positive.parts, g.pick(["Bukan barang baru ya kak.", "Bukan baru.",
                                                                    "Not new.", "Bukan barang baru, harap maklum."]),
                                         carrier.item)
        if positive.signal_part is not None and at_part <= positive.signal_part:
            positive.signal_part += 1

    # The twin mirrors its positive: what stands in for the signal sits where the signal sat, and
    # further look-alikes go only where the twin has a description already, so neither class has
    # a description (or a longer title) more often.
    twin = _Draft(carrier, parts=list(boilerplate))
    traps = [g.pick(list(TRAPS) + ["single_cue", "none", "none", "edit", "edit"]) for _ in range(g.pick([1, 1, 2, 3]))]
    edited = _minimal_edit(g, plain_signal)
    for k, trap in enumerate(traps):
        title_slot = (in_title and k == 0) or (k > 0 and not twin.parts)
        if trap == "edit" and k == 0 and edited:
            text = edited
        else:
            trap = "none" if trap == "edit" else trap
            text = _trap_text(g, trap, "title" if title_slot else "description", carrier.item)
        if evasion and g.chance(0.5):
            text = g.evade(evasion, text, share=0.5)
        if title_slot:
            twin.title_extra = f"{twin.title_extra} {text}".strip()
            twin.title_at = at
        else:
            _place_in_description(g, twin.parts, text, carrier.item)
    trap = traps[0]
    return [_finish(g, sample_id + "p", positive, 1, family, families, "synthetic"),
            _finish(g, sample_id + "n", twin, 0, "twin_" + trap, families, "synthetic")]


def _not_clothing(g: _Gen, sample_id: str, real: Sequence[Sample]) -> Sample:
    """Used goods that are not clothing, shoes or bags, with the very words of the trade."""
    kind = "food" if g.chance(0.35) else "other"
    carrier = _carrier_for(g, kind, real)
    in_title = g.chance(0.6)
    if kind == "food" and g.chance(0.7):
        text = g.fill(g.pick(FOOD_TRAPS))
        family_word = "bulk_food"
    else:
        family = g.pick(("explicit", "bale_trade", "euphemism", "english", "implicit_only", "explicit"))
        text = _signal_text(g, family, "title" if in_title or g.chance(0.3) else "description", carrier.item,
                            clothing=False)
        if g.chance(0.15):
            text = g.evade(g.pick(EVASION_FAMILIES), text, share=0.5)
        family_word = "used_other"
    draft = _Draft(carrier, parts=_boilerplate_parts(g, _description_length(g)))
    if in_title or (not draft.parts and g.chance(0.5)):
        draft.title_extra, draft.title_at = text, g.pick(["end", "start", "middle", "dash"])
    else:
        _place_in_description(g, draft.parts, text, carrier.item)
    return _finish(g, sample_id, draft, 0, family_word, (), "synthetic", clothing=False)


def _trap_only(g: _Gen, sample_id: str, real: Sequence[Sample]) -> Sample:
    """A clothing listing with legal look-alikes and no twin: the traps seen on their own."""
    kind = g.pick(["clothes"] * 6 + ["shoes", "bags"])
    carrier = _carrier_for(g, kind, real)
    traps = [g.pick(list(TRAPS) + ["single_cue"]) for _ in range(g.pick([1, 1, 2, 3]))]
    draft = _Draft(carrier, parts=_boilerplate_parts(g, _description_length(g)))
    for k, trap in enumerate(traps):
        if (k == 0 and g.chance(0.5)) or (not draft.parts and g.chance(0.5)):
            draft.title_extra = f"{draft.title_extra} {_trap_text(g, trap, 'title', carrier.item)}".strip()
            draft.title_at = g.pick(["end", "start", "middle", "dash"])
        else:
            _place_in_description(g, draft.parts, _trap_text(g, trap, "description", carrier.item), carrier.item)
    return _finish(g, sample_id, draft, 0, traps[0], (), "synthetic")


def generate(n: int, seed: int, *, real: Sequence[Sample] = (), id_prefix: str = "syn") -> list[Sample]:
    """About ``n`` listings, a pure function of ``(n, seed, real)``: counterfactual pairs (drawn
    60% of the time), goods that are not clothing with the trade's words (20%) and traps on their
    own (20%)."""
    g = _Gen(seed, [s.title for s in real])
    out: list[Sample] = []
    index = 0
    while len(out) < n:
        sample_id = f"{id_prefix}-{seed}-{index}"
        choice = g.r.random()
        if choice < 0.6:
            out.extend(_pair(g, sample_id, real))
        elif choice < 0.8:
            out.append(_not_clothing(g, sample_id, real))
        else:
            out.append(_trap_only(g, sample_id, real))
        index += 1
    return out[:n]


def carriers(samples: Iterable[Sample]) -> list[Sample]:
    """Real titles as carriers: their kind is read from the category (clothes, shoes, bags, food,
    other)."""
    return [Sample(s.id, s.title, "", 0, _item_kind(s.kind), (), s.source, clothing=s.clothing) for s in samples]


def gate_titles(samples: Iterable[Sample], seed: int, synthetic: int = 8000) -> list[Sample]:
    """Titles for the clothing gate: the real ones among ``samples`` (their category says what
    they sell), synthetic product titles of every kind (``other_goods`` among them), and titles of
    the trade's words alone (clothing) or beside a product that is not clothing (not clothing)."""
    g = _Gen(seed)
    samples = list(samples)
    out = [s for s in samples if s.source.startswith("real")]
    # Real titles of other goods, for the trade's words beside them: the synthetic list of other
    # goods is short, and sellers of soy beans, cement or hair clips use those words too.
    others = [s.title for s in out if not s.clothing]
    goods = other_goods()
    # Titles that name no product but the trade ("bal Korea campur", "karungan thrift 50 kg") sell
    # clothing: that is what the words mean. The same words beside a named product that is not
    # clothing ("Lego bekas kiloan") do not make it clothing.
    for index in range(synthetic // 5):
        family = g.pick(["explicit", "bale_trade", "regional_slang", "euphemism"])
        trade = g.fill(g.pick([t for t in SIGNALS[family]["title"] if "{item}" not in t and "{ie}" not in t]))
        out.append(Sample(f"gate-trade-{seed}-{index}", g.case(trade), "", 0, "trade", (), "synthetic"))
        source = g.r.random()
        if others and source < 0.4:
            thing = g.pick(others)
        elif source < 0.7:
            thing = g.pick(goods)
        else:
            thing = _synthetic_carrier(g, g.pick(["other", "other", "food"])).title
        at = g.pick(["end", "start", "middle"])
        out.append(Sample(f"gate-other-{seed}-{index}", g.case(_title_with(g, thing, trade, at)), "", 0,
                          "other_trade", (), "synthetic", clothing=False))
    for index in range(synthetic):
        kind = g.pick(["clothes", "clothes", "shoes", "bags", "other", "other", "food", "goods", "goods"])
        title = g.pick(goods) if kind == "goods" else _synthetic_carrier(g, kind).title
        out.append(Sample(f"gate-{seed}-{index}", g.case(title), "", 0, kind, (), "synthetic",
                          clothing=kind in ("clothes", "shoes", "bags")))
    return out


def decorate_real(samples: Iterable[Sample], seed: int) -> list[Sample]:
    """Real titles as negatives, each with a description drawn like any carrier's."""
    samples = list(samples)
    g = _Gen(seed, [s.title for s in samples])
    return [Sample(s.id, s.title, _join(_boilerplate_parts(g, _description_length(g))), 0, "real_title", (),
                   s.source, (), s.weight, s.clothing) for s in samples]


# ----------------------------------------------------------------------------------------------
# Real titles: reference data in ../shared/data, never shipped
# ----------------------------------------------------------------------------------------------


def shared_data_dir(repo_root: Path | None = None) -> Path:
    env = os.environ.get("SARING_SHARED_DATA")
    if env:
        return Path(env)
    return (repo_root or REPO_ROOT).parent / "shared" / "data"


def real_titles_path(repo_root: Path | None = None) -> Path:
    return shared_data_dir(repo_root) / "real_titles_dev.jsonl"


REAL_SPLIT_SALT = "saring-real-split-v1"
AUDIT_PATH = Path(__file__).resolve().parent / "real_audit.jsonl"
# Read labels that keep a real title out of the negatives (see real_audit.md).
AUDIT_EXCLUDED = ("violation", "used_clothing_unclear")


def real_split(record_id: str) -> str:
    """'train' (50%), 'validation' (15%) or 'holdout' (35%), fixed by a salted hash of the id."""
    bucket = int.from_bytes(hashlib.sha256((REAL_SPLIT_SALT + record_id).encode()).digest()[:4], "big") % 100
    if bucket < 50:
        return "train"
    if bucket < 65:
        return "validation"
    return "holdout"


def audit_labels(path: Path = AUDIT_PATH) -> dict[str, str]:
    """The read labels of real titles: id -> clean, used_other, used_clothing_unclear, violation."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        return {row["id"]: row["label"] for row in map(json.loads, filter(str.strip, handle))}


def read_real_titles(path: Path | None = None) -> Iterator[Sample]:
    """Every real title, as a weakly labelled negative; ``kind`` is its category, ``source``
    says whether a person read it ("real_read") or not ("real")."""
    path = path or real_titles_path()
    audited = audit_labels()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            row = json.loads(line)
            record_id = str(row["id"])
            label = audited.get(record_id)
            source = "real" if label is None else "real_read"
            category = str(row.get("category") or "")
            yield Sample(record_id, str(row.get("title") or ""), "", 1 if label == "violation" else 0, category,
                         (), source, (), 0.0 if label in AUDIT_EXCLUDED else 1.0,
                         _item_kind(category) in ("clothes", "shoes", "bags"))


def real_titles(split: str, path: Path | None = None) -> list[Sample]:
    return [s for s in read_real_titles(path) if real_split(s.id) == split]


HANDWRITTEN_DIR = Path(__file__).resolve().parent / "handwritten"
HANDWRITTEN_SOURCE = "handwritten"


def handwritten_files(directory: Path = HANDWRITTEN_DIR) -> list[Path]:
    """The hand-written listing files (``listings*.jsonl``), in name order: each batch was written
    apart from the generator and the evaluation set (see the README there)."""
    return sorted(directory.glob("listings*.jsonl"))


def labelled_samples(rows: Iterable[dict], *, source: str, weight: float = 1.0) -> list[Sample]:
    """Listings labelled as a whole (``{"id", "title", "description", "label", "family"?}``):
    which of their segments holds the violation is not known (hand-written listings, review
    outcomes)."""
    out = []
    for row in rows:
        family = row.get("family")
        out.append(Sample(str(row["id"]), str(row.get("title") or ""), str(row.get("description") or ""),
                          int(row["label"]), family or source, (family,) if family else (), source, None, weight))
    return out


def read_labelled(path: Path, *, source: str = HANDWRITTEN_SOURCE, weight: float = 1.0) -> list[Sample]:
    """``labelled_samples`` of a JSON-lines file."""
    with open(path, encoding="utf-8") as handle:
        return labelled_samples(map(json.loads, filter(str.strip, handle)), source=source, weight=weight)


def corpus_hash(samples: Iterable[Sample], other_goods_titles: Iterable[str] = ()) -> str:
    """SHA-256 of what a model learns from: the listings, then the clothing gate's titles of
    other goods (``other_goods``)."""
    digest = hashlib.sha256()
    for s in samples:
        digest.update(s.to_json().encode("utf-8"))
        digest.update(b"\n")
    for title in other_goods_titles:
        digest.update(b"other goods: " + title.encode("utf-8") + b"\n")
    return digest.hexdigest()


if __name__ == "__main__":  # a peek at the generator: python models/corpus.py [n]
    for sample in generate(int(sys.argv[1]) if len(sys.argv) > 1 else 20, seed=1):
        print(sample.to_json())
