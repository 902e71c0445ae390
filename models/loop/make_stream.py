"""Writes models/loop/stream.jsonl, the hand-written listing stream of the loop demo.

Written from the domain notes and from how Indonesian marketplace sellers write, apart from the
training generator (whoever writes an evaluation stream must not read the generator first), so
that the loop demo measures learning from reviewers, not the generator's habits.

The stream covers six weeks of one platform. Most listings are ordinary legal goods; some are
violations in the styles the domain notes already name ("known"); and from the second week on,
bale sellers adopt a code word of their own that no list names: "harta karun" (treasure), soon
shortened to "harkar" and spelt every which way, for mixed imported bales opened and sold per
piece ("new_family"). Legal sellers use the same neighbouring words innocently: treasure-map
toys, pirate costumes, "harta karun" mystery snack boxes, Hong Kong goods, knock-down racks,
preorder batches that "landed" ("lookalike").

Run `python models/loop/make_stream.py` to rewrite the file; the seed makes it reproducible.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("stream.jsonl")
DAYS = 42
SEED = 20261201

# ---------------------------------------------------------------------------------------------
# Shared description material: every class draws from it, so length, emoji and shop talk say
# nothing about the label.

GREETINGS = [
    "Halo kak, selamat datang di toko kami 🙏",
    "Hai kakak2 semua 👋 happy shopping yaa",
    "Selamat datang di {shop} ✨",
    "Assalamualaikum kak, terima kasih sudah mampir 🙏😊",
    "WELCOME TO {shop} 💕",
    "Halo bestie! 💖",
    "Hai kak, cek dulu deskripsinya sebelum order ya 😉",
    "Salam hangat dari {shop} 🌸",
    "",
]
READY = [
    "✅ READY STOCK, langsung order aja kak",
    "Barang ready, tidak perlu tanya stok 🙏",
    "📦 Stok ready selama etalase masih tampil",
    "READY!! klik beli sekarang sebelum kehabisan 🔥",
    "Ready kak, chat dulu kalau mau tanya warna lain",
    "",
]
SHIPPING = [
    "🚚 Pengiriman setiap hari Senin-Sabtu, order sebelum jam 15.00 dikirim hari yang sama",
    "Cut off jam 14.00 WIB ya kak, lewat dari itu dikirim besok 🙏",
    "Pengiriman via JNE, J&T, SiCepat, AnterAja. Pesanan Minggu dikirim Senin",
    "📮 Kirim dari {city}, resi otomatis diupdate maks 1x24 jam",
    "Same day & instant bisa (Gojek/Grab) untuk area {city}",
    "Order sebelum jam 4 sore langsung kami proses hari itu juga ⏰",
]
COD = [
    "💵 Bisa COD / bayar di tempat",
    "COD tersedia kak, tapi mohon jangan iseng ya 🙏",
    "Bisa COD seluruh Indonesia (sesuai ketersediaan ekspedisi)",
    "✅ COD ✅ Transfer ✅ Paylater",
    "",
    "",
]
UNBOXING = [
    "⚠️ WAJIB VIDEO UNBOXING tanpa jeda untuk klaim komplain ya kak",
    "Komplain tanpa video unboxing tidak kami layani 🙏",
    "📹 Video unboxing dari paket masih tersegel wajib untuk retur",
    "Mohon rekam saat buka paket ya kak, untuk jaga-jaga kalau ada kendala",
    "",
]
CLOSING = [
    "Jangan lupa follow toko kami untuk update produk terbaru 🥰",
    "Follow toko & kasih bintang 5 ya kak kalau puas ⭐⭐⭐⭐⭐",
    "Terima kasih sudah belanja, semoga berkah 🙏",
    "Happy shopping kak 💕 jangan lupa ulasannya",
    "Sebelum kasih bintang 1, chat admin dulu ya kak, pasti kami bantu 🙏",
    "",
]
CARE = [
    "Cara perawatan: cuci dengan air dingin, jangan direndam terlalu lama, jemur terbalik 👕",
    "Disarankan cuci tangan, jangan pakai pemutih, setrika suhu sedang",
    "Jangan dikeringkan dengan mesin pengering agar tidak menyusut",
    "",
]
CONDITION_NOTES = [
    "Warna bisa sedikit berbeda karena pencahayaan foto 📸",
    "Foto real pic, diambil sendiri kak",
    "Ukuran toleransi 1-2 cm karena pengukuran manual",
    "",
]

CITIES = ["Bandung", "Jakarta Barat", "Surabaya", "Tangerang", "Medan", "Makassar",
          "Yogyakarta", "Semarang", "Bekasi", "Depok", "Malang", "Palembang", "Solo",
          "Denpasar", "Pekanbaru", "Bogor", "Pontianak", "Batam", "Sidoarjo", "Cimahi"]
SHOP_WORDS = ["Store", "Official", "Shop", "Collection", "Outfit", "Gallery", "Fashion", "Mart",
              "ID", "Grosir", "Butik", "Corner", "Wear", "Closet", "Lemari"]
SHOP_NAMES = ["Ayu", "Berkah", "Cahaya", "Dinda", "Elang", "Fajar", "Griya", "Hana", "Intan",
              "Jaya", "Kirana", "Lestari", "Mawar", "Nusa", "Omah", "Putri", "Rizky", "Sinar",
              "Tiara", "Unggul", "Vina", "Wulan", "Yasmin", "Zahra", "Bintang", "Kenanga"]


def size_chart(rng: random.Random, kind: str) -> str:
    if kind == "shoe":
        start = rng.choice([36, 37, 38, 39])
        rows = [f"{n} = {22 + (n - 36) * 0.5 + rng.choice([0, 0.5]):.1f} cm" for n in
                range(start, start + rng.randint(3, 6))]
        return "📏 Size chart (panjang insole):\n" + "\n".join(rows)
    if kind == "bottom":
        rows = []
        for n in range(rng.choice([27, 28, 29]), rng.choice([33, 34, 35])):
            rows.append(f"{n}: LP {n * 2.5 + rng.randint(-2, 2):.0f} cm, panjang "
                        f"{rng.randint(95, 104)} cm")
        return "SIZE CHART 📐\n" + "\n".join(rows)
    if kind == "top":
        sizes = rng.choice([["S", "M", "L", "XL"], ["M", "L", "XL", "XXL"], ["All size fit to L"]])
        if len(sizes) == 1:
            return f"Ukuran: {sizes[0]} (LD {rng.randint(96, 112)} cm, PB {rng.randint(64, 74)} cm)"
        base = rng.randint(44, 50)
        rows = [f"{s} : LD {(base + i * 2) * 2} x PB {rng.randint(64, 68) + i * 2} cm"
                for i, s in enumerate(sizes)]
        return "📐 Size chart (lebar dada x panjang badan):\n" + "\n".join(rows)
    if kind == "bag":
        return (f"Ukuran: {rng.randint(20, 40)} x {rng.randint(10, 30)} x {rng.randint(8, 15)}"
                f" cm\nTali bisa diatur, muat HP, dompet, powerbank")
    return ""


def boilerplate(rng: random.Random, shop: str, city: str, core: list[str], kind: str) -> str:
    """A description: the listing's own lines (core) wrapped in the usual shop talk."""
    parts = [rng.choice(GREETINGS).format(shop=shop)]
    parts.extend(core)
    if kind and rng.random() < 0.7:
        parts.append(size_chart(rng, kind))
    if kind in {"top", "bottom"} and rng.random() < 0.5:
        parts.append(rng.choice(CARE))
    parts.append(rng.choice(CONDITION_NOTES))
    parts.append(rng.choice(READY))
    parts.append(rng.choice(SHIPPING).format(city=city))
    parts.append(rng.choice(COD))
    parts.append(rng.choice(UNBOXING))
    parts.append(rng.choice(CLOSING))
    body = [p for p in parts if p]
    if rng.random() < 0.15:  # some sellers write one line only
        body = body[:3]
    return "\n\n".join(body) if rng.random() < 0.6 else "\n".join(body)


# ---------------------------------------------------------------------------------------------
# Products.

TOPS = ["Kemeja Flanel", "Kaos Polos", "Hoodie", "Sweater Rajut", "Jaket Denim", "Jaket Parka",
        "Kemeja Linen", "Blouse", "Crewneck", "Jaket Bomber", "Cardigan", "Kaos Oversize",
        "Jaket Windbreaker", "Kemeja Batik", "Tunik", "Polo Shirt", "Jaket Coach", "Vest Rajut"]
BOTTOMS = ["Celana Jeans", "Celana Cargo", "Celana Chino", "Rok Plisket", "Celana Kulot",
           "Jogger Pants", "Celana Pendek", "Rok Jeans", "Celana Corduroy", "Legging"]
DRESSES = ["Dress Midi", "Gamis", "Dress Floral", "Overall Jeans", "Jumpsuit"]
SHOES = ["Sepatu Sneakers", "Sepatu Running", "Sepatu Boots", "Sepatu Kets", "Loafers",
         "Sepatu Slip On", "Sandal Gunung", "Flat Shoes", "Sepatu Canvas"]
BAGS = ["Tas Selempang", "Tas Ransel", "Tote Bag", "Sling Bag", "Tas Kulit", "Waist Bag",
        "Tas Laptop", "Handbag", "Clutch"]
BRANDS = ["Uniqlo", "Zara", "H&M", "Levi's", "Nike", "Adidas", "Carhartt", "Dickies",
          "The North Face", "Columbia", "GU", "Polo Ralph Lauren", "Tommy Hilfiger", "Champion",
          "Converse", "Vans", "New Balance", "Coach", "Patagonia", "Lee", "Wrangler", "Muji"]
LOCAL_BRANDS = ["Erigo", "3Second", "Roughneck", "Eiger", "Cottonink", "Thanksinsomnia",
                "Brodo", "Compass", "Ventela", "Elizabeth", "Buttonscarves", "Kalibre",
                "Greenlight", "Screamous", "Jiniso", "Heymale"]
WHO = ["Pria", "Wanita", "Unisex", "Cowok", "Cewek", "Pria Wanita", "Anak", "Remaja"]
STYLE = ["Oversize", "Slim Fit", "Korean Style", "Premium", "Terbaru", "Kekinian", "Casual",
         "Distro", "Basic", "Original", "Murah", "Best Seller", "Viral", "Loose", "Regular Fit"]
COLOURS = ["Hitam", "Navy", "Army", "Cream", "Putih", "Abu", "Maroon", "Mocca", "Sage",
           "Coklat", "Denim Wash", "Olive", "Dusty Pink", "Broken White"]
MATERIALS = ["Cotton combed 30s", "Fleece tebal", "Katun rayon adem", "Denim 14oz", "Linen",
             "Knit premium", "Taslan waterproof", "Corduroy halus", "Twill", "Canvas tebal",
             "Kulit sintetis", "Baby terry", "Polyester dryfit"]

CATEGORY = {
    "top": ["fashion-pria/atasan-pria/kemeja-pria", "fashion-pria/atasan-pria/kaos-pria",
            "fashion-wanita/atasan-wanita/blouse", "fashion-pria/jaket-pria/jaket-pria",
            "fashion-wanita/outerwear-wanita/cardigan", "fashion-muslim/atasan-muslim/tunik",
            "fashion-pria/atasan-pria/sweater-pria"],
    "bottom": ["fashion-pria/celana-pria/celana-jeans-pria", "fashion-wanita/bawahan-wanita/rok",
               "fashion-wanita/bawahan-wanita/celana-panjang-wanita",
               "fashion-pria/celana-pria/celana-pendek-pria"],
    "dress": ["fashion-wanita/dress/dress-midi", "fashion-muslim/gamis/gamis-wanita",
              "fashion-wanita/setelan-wanita/jumpsuit"],
    "shoe": ["sepatu-pria/sneakers-pria/sneakers-pria", "sepatu-wanita/flat-shoes/flat-shoes",
             "sepatu-pria/sepatu-olahraga/sepatu-lari", "sepatu-pria/sandal-pria/sandal-gunung"],
    "bag": ["tas-pria/tas-selempang-pria/sling-bag", "tas-wanita/handbag/handbag",
            "tas-pria/ransel-pria/ransel", "tas-wanita/tote-bag/tote-bag"],
}


def garment(rng: random.Random) -> tuple[str, str]:
    kind = rng.choices(["top", "bottom", "dress", "shoe", "bag"], weights=[5, 3, 1, 2, 2])[0]
    noun = rng.choice({"top": TOPS, "bottom": BOTTOMS, "dress": DRESSES, "shoe": SHOES,
                       "bag": BAGS}[kind])
    return kind, noun


def shape_kind(kind: str) -> str:
    return "top" if kind == "dress" else kind


def bare_title(rng: random.Random, noun: str, brand: str | None = None) -> str:
    """Short bare titles as sellers write them, in a handful of word orders."""
    who, style, colour = rng.choice(WHO), rng.choice(STYLE), rng.choice(COLOURS)
    forms = [
        f"{noun} {who}",
        f"{noun} {style} {who}",
        f"{noun} {colour}",
        f"{noun} {style}",
        f"{noun} {who} {style} {colour}",
        f"{noun.upper()} {who.upper()}",
        f"{noun.lower()} {style.lower()}",
    ]
    title = rng.choice(forms)
    if brand:
        title = rng.choice([f"{brand} {title}", f"{title} {brand}", f"{title} - {brand}"])
    return title


# ---------------------------------------------------------------------------------------------
# Legal listings.

OTHER_GOODS = [
    ("Kopi Arabika Gayo 1 kg Biji Sangrai", "makanan-minuman/kopi/kopi-biji", 145000,
     ["☕ Kopi arabika Gayo roasting medium, sangrai mingguan biar tetap segar",
      "Bisa request digiling kasar/halus, tulis di catatan ya kak"]),
    ("Beras Pandan Wangi 5 kg", "makanan-minuman/bahan-pokok/beras", 78000,
     ["Beras pulen wangi panen baru 🌾", "Tersedia juga 1 bal isi 4 karung untuk warung"]),
    ("Keripik Singkong Pedas 1 Bal isi 10 Bungkus", "makanan-minuman/makanan-ringan/keripik",
     52000, ["Keripik renyah pedas manis khas Padang 🌶️", "1 bal = 10 bungkus @ 200 gr"]),
    ("Samsung Galaxy A54 Second Mulus Fullset", "handphone-tablet/handphone/android-os", 3650000,
     ["HP second pemakaian pribadi, fullset dus + charger ori", "IMEI terdaftar, garansi toko 7 hari"]),
    ("iPhone 11 64GB Bekas Resmi iBox", "handphone-tablet/handphone/iphone", 4200000,
     ["Battery health 84%, Face ID aman, no minus", "Ex iBox resmi, bukan inter"]),
    ("Honda Beat 2019 Bekas Pajak Hidup", "otomotif/motor/motor-bekas", 11500000,
     ["Motor tangan pertama, surat lengkap BPKB STNK", "Lokasi Bekasi Timur, bisa cek unit"]),
    ("Novel Laskar Pelangi Bekas Kondisi Bagus", "buku/novel-sastra/novel", 35000,
     ["Buku koleksi pribadi, halaman lengkap tidak sobek 📚"]),
    ("Serum Bekas Jerawat Niacinamide 20ml", "kecantikan/perawatan-wajah/serum-wajah", 59000,
     ["Membantu memudarkan bekas jerawat & mencerahkan ✨", "BPOM NA18xxxx, 100% original"]),
    ("Lakban Bening Tanpa Bekas Lem 2 inch", "rumah-tangga/perlengkapan-kantor/lakban", 12000,
     ["Mudah dilepas tanpa bekas lem di dus atau dinding"]),
    ("Plester Kaki Anti Lecet Tanpa Bekas", "kesehatan/p3k/plester", 15000,
     ["Plester gel untuk sepatu baru biar tidak lecet 👟"]),
    ("Laptop Lenovo Thinkpad X280 Second Bergaransi", "komputer-laptop/laptop/laptop-bisnis",
     3900000, ["Core i5 gen 8, RAM 8GB, SSD 256GB", "Unit second kondisi 90%, garansi 1 bulan"]),
    ("Rak Sepatu Susun 5 Tingkat Bongkar Pasang", "rumah-tangga/penyimpanan/rak-sepatu", 67000,
     ["Rak knock down, mudah dibongkar pasang tanpa alat 🔧", "Muat 15 pasang sepatu"]),
    ("Karung Goni Polos 60x90 untuk Tanaman", "pertanian/perlengkapan-kebun/karung", 8000,
     ["Karung goni baru untuk polybag tanaman dan kerajinan"]),
    ("Paket Hemat Sabun Cuci Piring 3 pcs", "rumah-tangga/kebersihan/sabun-cuci-piring", 29000,
     ["Paket hemat isi 3 pouch @ 780 ml, wangi jeruk nipis 🍋"]),
    ("Sticker Cakar Harimau Motor Variasi", "otomotif/aksesoris-motor/stiker-motor", 18000,
     ["Stiker cutting motif cakar, tahan air & panas matahari"]),
    ("Monza Sepatu Futsal Anak Original", "olahraga/sepatu-futsal/sepatu-futsal-anak", 149000,
     ["Sepatu futsal anak seri Monza, sol karet anti slip ⚽"]),
    ("Teh Melati Tubruk 1 Bal isi 40 Pack", "makanan-minuman/teh/teh-tubruk", 96000,
     ["Teh tubruk wangi melati untuk warung dan angkringan 🍵"]),
    ("Tumbler Stainless 750ml Tahan Panas Dingin", "dapur/botol-minum/tumbler", 45000,
     ["Tahan panas 12 jam, dingin 24 jam ❄️🔥"]),
    ("Kamera Mirrorless Sony A6000 Second Lensa Kit", "kamera/kamera-mirrorless/sony", 4600000,
     ["Shutter count 12rb, body mulus, pemakaian pribadi 📷"]),
    ("Sepeda Lipat 20 inch Bekas Terawat", "olahraga/sepeda/sepeda-lipat", 1350000,
     ["Jarang dipakai karena pindah kerja, ambil di Depok ya kak"]),
    ("Minyak Kayu Putih 120 ml", "kesehatan/obat-obatan/minyak-angin", 38000,
     ["Hangat di badan, cocok untuk anak 👶"]),
    ("Jasa Jastip Skincare Korea Batch Desember", "kecantikan/perawatan-wajah/paket-skincare",
     250000, ["Jastip produk baru dari Olive Young, ada struk pembelian 🧾",
              "PO tutup tanggal 10, estimasi sampai 3 minggu"]),
]

LEGAL_CLOTHES_LINES = [
    "Bahan {material}, adem dan nyaman dipakai seharian",
    "Produk baru 100%, jahitan rapi, produksi sendiri di {city}",
    "Model {style_low}, cocok buat ngampus, kerja, atau hangout 😍",
    "Tersedia warna: {colour}, {colour2}, {colour3}",
    "Sablon DTF tidak mudah luntur, tidak retak 👌",
    "Original brand {local}, ada tag & hangtag lengkap",
    "Barang baru bukan thrift ya kak, masih segel plastik 🙏",
    "Kualitas premium harga bersahabat 💯",
    "Bisa grosir! Min 12 pcs harga khusus, chat admin",
    "Konveksi sendiri, bisa custom logo untuk komunitas 🏷️",
    "Sisa ekspor produksi pabrik Bandung, baru, label dipotong",
    "Overrun pabrik garmen lokal, barang baru tanpa cacat",
    "Bahan import, jahit lokal. Barang baru ya kak",
    "Model vintage look tapi barang baru, jahitan rapi",
    "Free dus + paperbag untuk kado 🎁",
    "Garansi 30 hari jahitan lepas",
]

PERSONAL_PRELOVED = [
    ("{noun} {brand} Preloved Pribadi", [
        "Preloved pribadi kak, beli di mall tahun lalu, baru dipakai 2x",
        "Dijual karena kekecilan setelah lahiran 😅 nota masih ada",
    ]),
    ("Preloved {noun} {brand} Like New Pemakaian Sendiri", [
        "Punya sendiri, bukan barang kulakan ya kak 🙏",
        "Lemari penuh jadi dilepas, kondisi masih bagus banget",
    ]),
    ("Jual Cepat {noun} {brand} Punya Sendiri", [
        "Pindahan rumah jadi beberapa baju aku lepas 🥲",
        "Dipakai kondangan sekali, dry clean sebelum dikirim",
    ]),
]


KIND_LINES = {
    "shoe": ["Sol karet anti slip, nyaman untuk jalan jauh 👟", "Insole empuk, tidak bikin lecet"],
    "bag": ["Resleting YKK, banyak kantong, muat laptop 14 inch 💼", "Lapisan dalam anti air"],
}


def legal_listing(rng: random.Random, ctx: dict) -> dict:
    roll = rng.random()
    if roll < 0.2:
        name, cat, price, lines = rng.choice(OTHER_GOODS)
        price = int(price * rng.uniform(0.85, 1.15) // 500 * 500)
        return {"title": name if rng.random() < 0.7 else name.upper(), "category": cat,
                "priceIdr": price,
                "description": boilerplate(rng, ctx["shop"], ctx["city"], list(lines), ""),
                "sub": "other_goods"}
    kind, noun = garment(rng)
    if roll < 0.28:
        pattern, lines = rng.choice(PERSONAL_PRELOVED)
        brand = rng.choice(BRANDS)
        title = pattern.format(noun=noun, brand=brand)
        price = rng.randint(90, 450) * 1000
        return {"title": title, "category": rng.choice(CATEGORY[kind]), "priceIdr": price,
                "description": boilerplate(rng, ctx["shop"], ctx["city"], list(lines),
                                           shape_kind(kind)), "sub": "personal_preloved"}
    brand = rng.choice(LOCAL_BRANDS) if rng.random() < 0.4 else None
    title = bare_title(rng, noun, brand)
    core = []
    lines = LEGAL_CLOTHES_LINES + KIND_LINES.get(kind, [])
    for line in rng.sample(lines, rng.randint(1, 4)):
        core.append(line.format(material=rng.choice(MATERIALS), city=ctx["city"],
                                style_low=rng.choice(STYLE).lower(), colour=rng.choice(COLOURS),
                                colour2=rng.choice(COLOURS), colour3=rng.choice(COLOURS),
                                local=brand or rng.choice(LOCAL_BRANDS)))
    price = rng.randint(39, 329) * 1000 - rng.choice([0, 0, 100, 1000])
    return {"title": title, "category": rng.choice(CATEGORY[kind]), "priceIdr": price,
            "description": boilerplate(rng, ctx["shop"], ctx["city"], core, shape_kind(kind)),
            "sub": "new_goods"}


# ---------------------------------------------------------------------------------------------
# Violations in the styles the domain notes name.

KNOWN_TITLES = [
    "{noun} Thrift {brand} Original",
    "Thrifting {noun} {who} Murah",
    "{noun} Bekas Import {brand}",
    "Bal {noun} Korea Grade A",
    "BALPRES {noun} {who} 100kg",
    "Karungan {noun} Campur Ex Jepang",
    "{noun} Preloved Ex Korea {brand}",
    "Awul Awul {noun} {brand} Murce",
    "{noun} Second Ori Luar {brand}",
    "thr1ft {noun} {brand}",
    "{noun} b3k4s import",
    "t.h.r.i.f.t {noun} {who}",
    "{noun} Cakar Makassar {brand}",
    "{noun} Rombengan Bagus {who}",
    "Kiloan {noun} Sortiran",
    "{noun} {brand}",  # title bare, description speaks
    "{noun} {who} {style}",
]
KNOWN_LINES = [
    "Barang thrift pilihan, hunting langsung dari bal 🔥",
    "Buka bal tiap Jumat malam di live, jangan sampai ketinggalan!",
    "Kondisi 90% up, no noda no bolong, ex Korea",
    "Restock tiap minggu kak, stok beda-beda tiap minggu",
    "Bal segel ex Jepang, grade A, sudah sortir",
    "Ready karungan isi campur, cocok untuk reseller 💰",
    "Preloved original luar, bukan KW",
    "Ambil per karung lebih murah, 1 bal isi ±450 pcs",
    "Kaki/badan/kepala tersedia, tanya admin untuk harga bal",
    "Second import kualitas mantap, harga miring",
    "Live buka karung jam 8 malam di TikTok 📲",
    "Barang awul-awul pilihan, murce tapi branded",
    "Ex USA, kondisi masih bagus, 1 artikel 1 pcs",
    "Cakaran import grade A, siap kirim",
]


def known_violation(rng: random.Random, ctx: dict) -> dict:
    kind, noun = garment(rng)
    title = rng.choice(KNOWN_TITLES).format(noun=noun, brand=rng.choice(BRANDS),
                                            who=rng.choice(WHO), style=rng.choice(STYLE))
    core = rng.sample(KNOWN_LINES, rng.randint(1, 3))
    bulk = "bal" in title.lower() or "kiloan" in title.lower() or "karung" in title.lower()
    price = rng.randint(1500, 6500) * 1000 if bulk else rng.randint(25, 150) * 1000
    return {"title": title, "category": rng.choice(CATEGORY[kind]), "priceIdr": price,
            "description": boilerplate(rng, ctx["shop"], ctx["city"], core, shape_kind(kind)),
            "sub": "known"}


# ---------------------------------------------------------------------------------------------
# The new evasion family: "harta karun" / "harkar" for opened import bales.

# Spellings drift as the word spreads: the full phrase first, the short form later, and the
# usual disguises once platforms begin to notice.
EARLY_SPELLINGS = ["harta karun", "Harta Karun", "HARTA KARUN", "hartakarun", "harta-karun"]
LATE_SPELLINGS = ["harkar", "Harkar", "HARKAR", "HarKar", "harkarr", "hark4r", "h4rkar",
                  "har kar", "h.a.r.k.a.r", "hrkr", "harta krn", "hartakrn", "harkar ID",
                  "#harkar", "harkar jpn", "HRKR"]

NEW_TITLES = [
    "{noun} {code} {who}",
    "{code} {noun} {brand}",
    "{noun} {brand} {code}",
    "{noun} {code} Pilihan",
    "{code} {noun} {style} {colour}",
    "{noun} {who} ({code})",
    "[{code}] {noun} {brand}",
    "{noun} {brand} Dari {code_cap}",
    "Koleksi {code_cap} {noun}",
    "{noun} {code} Premium Murah",
]
# The code word only in the description; the title is a bare product title.
NEW_LINES_CODE = [
    "Dari {code} minggu ini kak, 1 artikel cuma 1 😍",
    "Hasil bongkar {code} kemarin malam, langsung foto & upload",
    "{code_cap} batch baru udah mendarat 🚢 isi campur, untung-untungan dapet merk",
    "Pilihan terbaik dari {code} kiriman kapal terakhir",
    "Yang nanya {code} lagi, ini dia kak 🔥 sisa sedikit",
    "Bongkar {code} tiap Selasa & Jumat, pantengin etalase ya",
    "Semua item di etalase ini dari {code}, dicuci & disetrika dulu sebelum kirim 🧺",
    "Mau ambil {code} utuh juga bisa, chat admin untuk harga per ikat",
    "Isi {code} kali ini banyak jaket musim dingin ❄️",
    "Barang {code}, cek foto detail untuk minus kecilnya ya kak",
    "{code_cap} dari seberang, bukan produksi lokal",
    "Sortiran pertama dari {code} buat pelanggan setia 💕",
]
NEW_LINES_PLAIN = [
    "Ukuran sudah diukur manual, no retur karena ukuran ya kak",
    "Cuma 1 pcs, siapa cepat dia dapat 🏃",
    "Tiap kapal isinya beda, jadi jangan tanya restock yang sama ya",
    "Harga sudah termasuk laundry",
    "Merk asli, cek tag di foto ke-3",
    "Minus pemakaian wajar, sudah difoto semua",
]


def new_family(rng: random.Random, ctx: dict, day: int) -> dict:
    kind, noun = garment(rng)
    late_share = min(0.9, max(0.1, (day - 8) / 20))
    code = rng.choice(LATE_SPELLINGS if rng.random() < late_share else EARLY_SPELLINGS)
    code_cap = code[:1].upper() + code[1:]
    brand = rng.choice(BRANDS)
    fill = {"noun": noun, "code": code, "code_cap": code_cap, "who": rng.choice(WHO),
            "brand": brand, "style": rng.choice(STYLE), "colour": rng.choice(COLOURS)}
    in_title = rng.random() < 0.6
    title = rng.choice(NEW_TITLES).format(**fill) if in_title else bare_title(rng, noun, brand)
    core = [line.format(**fill) for line in rng.sample(NEW_LINES_CODE, rng.randint(1, 2))]
    core += rng.sample(NEW_LINES_PLAIN, rng.randint(0, 2))
    rng.shuffle(core)
    if not in_title and rng.random() < 0.5:
        core.append(f"#{code.replace(' ', '').replace('#', '')} #{noun.split()[0].lower()}")
    bundle = rng.random() < 0.08
    if bundle:
        title = f"{code_cap} {noun} Per Ikat isi {rng.choice([25, 50, 100])} pcs"
        price = rng.randint(900, 4000) * 1000
    else:
        price = rng.randint(28, 140) * 1000 - rng.choice([0, 0, 500, 1000])
    return {"title": title, "category": rng.choice(CATEGORY[kind]), "priceIdr": price,
            "description": boilerplate(rng, ctx["shop"], ctx["city"], core, shape_kind(kind)),
            "sub": "code_in_title" if in_title else "code_in_description"}


# Legal look-alikes: the code word's neighbours used innocently.
LOOKALIKES = [
    ("Kaos Anak Sablon Peta Harta Karun Bajak Laut", "fashion-anak-bayi/atasan-anak/kaos-anak",
     59000, ["Kaos anak baru, sablon motif peta harta karun & kapal bajak laut 🏴‍☠️",
             "Bahan cotton combed 30s, adem untuk anak aktif"], "top"),
    ("Kostum Bajak Laut Anak Set Topi + Peta Harta Karun", "fashion-anak-bayi/kostum-anak/kostum",
     125000, ["Cocok untuk karnaval 17an & ulang tahun 🎉", "Set lengkap: baju, topi, penutup mata"],
     "top"),
    ("Mainan Peti Harta Karun Koin Emas Anak", "mainan-hobi/mainan-anak/mainan-edukasi", 45000,
     ["Peti harta karun isi 50 koin plastik & permata mainan 💎", "Aman untuk anak 3+"], ""),
    ("Buku Cerita Anak Mencari Harta Karun", "buku/buku-anak/buku-cerita-anak", 68000,
     ["Buku baru, full color, hard cover 📖", "Petualangan mencari harta karun di pulau"], ""),
    ("Kotak Perhiasan Harta Karun Vintage Look Kayu", "rumah-tangga/dekorasi/kotak-perhiasan",
     89000, ["Kotak kayu ukir model peti harta karun, baru", "Ukuran 15 x 10 x 8 cm"], ""),
    ("Mystery Box Snack Harta Karun Isi 15 Jajanan", "makanan-minuman/makanan-ringan/paket-snack",
     75000, ["Isi jajanan viral random, dijamin untung 😋", "Exp date minimal 3 bulan"], ""),
    ("Hoodie Anak Motif Harta Karun Brand Lokal", "fashion-anak-bayi/atasan-anak/hoodie-anak",
     139000, ["Produksi konveksi sendiri di Bandung, barang baru", "Fleece tebal, hangat"], "top"),
    ("Tas Ransel Anak Peta Harta Karun Waterproof", "tas-anak/ransel-anak/ransel-anak", 99000,
     ["Ransel sekolah baru, bahan waterproof, motif peta 🗺️"], "bag"),
    ("Kemeja Import Hong Kong HK Style Pria Baru", "fashion-pria/atasan-pria/kemeja-pria", 159000,
     ["Kemeja baru import resmi, lengkap tag & invoice 🧾", "Bahan katun premium"], "top"),
    ("Rak Baju Gantung Bongkar Pasang Portable", "rumah-tangga/penyimpanan/rak-baju", 85000,
     ["Bisa dibongkar pasang, kokoh muat 30 baju 👕", "Baru, lengkap dengan cover"], ""),
    ("PO Batch Baru Gamis Polos Sudah Mendarat", "fashion-muslim/gamis/gamis-wanita", 135000,
     ["Batch 3 sudah mendarat di gudang, produksi sendiri ✨", "Bahan ceruty babydoll baru"],
     "top"),
    ("Sepatu Anak Lampu Motif Kapal Harta Karun", "sepatu-anak/sneakers-anak/sepatu-anak", 115000,
     ["Sepatu baru nyala lampu di sol 💡", "Ukuran 21-30"], "shoe"),
    ("Game Board Harta Karun Nusantara Edukasi", "mainan-hobi/board-game/board-game", 149000,
     ["Permainan papan keluarga, belajar pulau-pulau Indonesia 🇮🇩"], ""),
    ("Harta Karun Dapur Bumbu Rendang Instan 5 pcs", "makanan-minuman/bumbu/bumbu-instan", 55000,
     ["Resep warisan nenek, harta karun dapur kami 😋"], ""),
    ("Jaket Kulit Pria Baru Harga Karyawan", "fashion-pria/jaket-pria/jaket-kulit-pria", 289000,
     ["Jaket kulit domba baru, jahitan rapi", "Produksi Garut"], "top"),
    ("Baju Kapal Pesiar Seragam Kru Custom Bordir", "fashion-pria/atasan-pria/kemeja-pria",
     175000, ["Seragam kru kapal custom nama & logo, bahan drill baru ⚓"], "top"),
]


def lookalike(rng: random.Random, ctx: dict) -> dict:
    name, cat, price, lines, kind = rng.choice(LOOKALIKES)
    title = rng.choice([name, name.upper(), name.lower(), f"{name} {rng.choice(STYLE)}",
                        f"{name} {rng.choice(COLOURS)}"])
    price = int(price * rng.uniform(0.85, 1.2) // 500 * 500)
    return {"title": title, "category": cat, "priceIdr": price,
            "description": boilerplate(rng, ctx["shop"], ctx["city"], list(lines), kind),
            "sub": "lookalike"}


# ---------------------------------------------------------------------------------------------


def daily_mix(day: int) -> dict[str, int]:
    """Listings per family on a day: the new family appears in week 2 and grows."""
    new = 0 if day < 6 else min(7, 1 + (day - 6) // 4)
    look = 1 + (day % 3 == 0)
    known = 1 + (day % 2 == 0)
    legal = 8 + (day % 4 == 1)
    return {"new_family": new, "lookalike": look, "known": known, "legal": legal}


def main() -> None:
    rng = random.Random(SEED)
    sellers = {
        "legal": [f"sel-{rng.randrange(10**6, 10**7)}" for _ in range(140)],
        "lookalike": [f"sel-{rng.randrange(10**6, 10**7)}" for _ in range(30)],
        "known": [f"sel-{rng.randrange(10**6, 10**7)}" for _ in range(30)],
    }
    # Some bale sellers switch words; new ones join them.
    sellers["new_family"] = sellers["known"][:12] + [f"sel-{rng.randrange(10**6, 10**7)}"
                                                     for _ in range(22)]
    shop_of: dict[str, tuple[str, str]] = {}
    rows = []
    for day in range(DAYS):
        todays = []
        for family, n in daily_mix(day).items():
            todays += [family] * n
        rng.shuffle(todays)
        for family in todays:
            seller = rng.choice(sellers[family])
            if seller not in shop_of:
                shop_of[seller] = (f"{rng.choice(SHOP_NAMES)} {rng.choice(SHOP_WORDS)}",
                                   rng.choice(CITIES))
            shop, city = shop_of[seller]
            ctx = {"shop": shop, "city": city}
            if family == "legal":
                listing = legal_listing(rng, ctx)
            elif family == "lookalike":
                listing = lookalike(rng, ctx)
            elif family == "known":
                listing = known_violation(rng, ctx)
            else:
                listing = new_family(rng, ctx, day)
            rows.append({
                "listingId": f"loop-{len(rows) + 1:05d}",
                "sellerId": seller,
                "title": " ".join(listing["title"].split()),
                "description": listing["description"],
                "priceIdr": listing["priceIdr"],
                "category": listing["category"],
                "truth": 1 if family in {"known", "new_family"} else 0,
                "family": family,
                "sub": listing["sub"],
                "day": day,
            })
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["family"]] = counts.get(row["family"], 0) + 1
    print(json.dumps({"listings": len(rows), "by_family": counts}))


if __name__ == "__main__":
    main()
