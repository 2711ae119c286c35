"""Realistic Persian demo data. Deterministic: the same seed gives the same records."""

FIRST_NAMES = [
    "علی", "محمد", "رضا", "حسین", "مهدی", "امیر", "سعید", "حمید", "مجید", "بهرام",
    "زهرا", "فاطمه", "مریم", "سارا", "نرگس", "الهام", "لیلا", "شیرین", "پریسا", "نازنین",
]  # fmt: skip
LAST_NAMES = [
    "کریمی", "احمدی", "حسینی", "رضایی", "محمدی", "موسوی", "جعفری", "صادقی", "رحیمی",
    "کاظمی", "قاسمی", "نوری", "اکبری", "شریفی", "یزدانی", "طاهری", "فرهادی", "زمانی",
]  # fmt: skip
COMPANIES = [
    ("صنایع غذایی مهرگان", "اصفهان"),
    ("بازرگانی پارس تجارت", "تهران"),
    ("کاشی و سرامیک نگین یزد", "یزد"),
    ("فولاد البرز شرق", "مشهد"),
    ("داروسازی سینا طب", "تهران"),
    ("پخش سراسری آریا", "شیراز"),
    ("گروه صنعتی کوثر", "تبریز"),
    ("نرم‌افزار رایان پویا", "تهران"),
    ("لبنیات دامداران خراسان", "مشهد"),
    ("فرش دستباف کاشان", "کاشان"),
    ("تجهیزات پزشکی آسا", "اصفهان"),
    ("حمل و نقل بین‌المللی پیشگام", "بندرعباس"),
]
# (area code, city) for landlines
AREA_CODES = [
    ("21", "تهران"),
    ("31", "اصفهان"),
    ("51", "مشهد"),
    ("71", "شیراز"),
    ("41", "تبریز"),
    ("35", "یزد"),
]
MOBILE_PREFIXES = ["912", "913", "915", "917", "919", "935", "936", "939", "901", "921"]
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "chmail.ir"]
LATIN_SURNAMES = {
    "کریمی": "karimi", "احمدی": "ahmadi", "حسینی": "hosseini", "رضایی": "rezaei",
    "محمدی": "mohammadi", "موسوی": "mousavi", "جعفری": "jafari", "صادقی": "sadeghi",
    "رحیمی": "rahimi", "کاظمی": "kazemi", "قاسمی": "ghasemi", "نوری": "nouri",
    "اکبری": "akbari", "شریفی": "sharifi", "یزدانی": "yazdani", "طاهری": "taheri",
    "فرهادی": "farhadi", "زمانی": "zamani",
}  # fmt: skip
LEAD_TITLES = [
    "خرید تابلو برق صنعتی", "قرارداد پشتیبانی سالانه", "تجهیز آزمایشگاه", "سامانه دوربین مداربسته",
    "خرید کابل و سیم", "نصب سامانه اعلام حریق", "تعویض روشنایی سوله", "خرید یو پی اس",
]  # fmt: skip
NOTES = [
    "علاقه‌مند به خرید عمده در فصل بهار.",
    "با مدیر خرید جلسه حضوری داشتیم؛ منتظر پیش فاکتور است.",
    "مشتری قدیمی؛ پرداخت‌ها همیشه به موقع.",
    "از نمایشگاه بین‌المللی تهران آشنا شدیم.",
    "",
]

# name, channel, email subject, body (placeholders: messaging.text.PLACEHOLDERS)
MESSAGE_TEMPLATES = [
    ("تبریک تولد", "sms", "", "{نام} عزیز، زادروزتان خجسته باد. با آرزوی بهترین‌ها، {نام_شرکت_ما}"),
    (
        "تبریک نوروز",
        "sms",
        "",
        "{نام} گرامی، نوروز و آغاز سال نو را شادباش می‌گوییم. {نام_شرکت_ما}",
    ),
    ("شب یلدا", "sms", "", "{نام} عزیز، یلدایتان پربرکت و گرم. {نام_شرکت_ما}"),
    (
        "ارسال پیش‌فاکتور",
        "email",
        "پیش‌فاکتور {نام_شرکت_ما} برای {نام}",
        "{نام} گرامی،\nپیش‌فاکتور درخواستی به پیوست است. برای هر پرسش با من تماس بگیرید.\n"
        "با سپاس، {نام_فرستنده}\n{نام_شرکت_ما}",
    ),
]

# Streets for the demo's addresses (the official invoice prints the buyer's).
STREETS = [
    "خیابان انقلاب، کوچه بهار",
    "بلوار کشاورز، نبش خیابان ۱۶ آذر",
    "خیابان امام خمینی، کوچه سرو",
    "بلوار چمران، خیابان لاله",
    "خیابان شریعتی، کوچه یاس",
    "میدان آزادی، خیابان نسترن",
    "بلوار معلم، کوچه ارغوان",
    "خیابان فردوسی، بن‌بست نارون",
]


def customer_email(*, sender: str, subject: str, text: str, photo: bool = False) -> bytes:
    """An email as a customer's mail program sends it (the demo's received emails):
    plain text and HTML, and a small photo when asked."""
    import io
    from email.message import EmailMessage
    from email.utils import make_msgid

    from PIL import Image, ImageDraw

    email = EmailMessage()
    email["From"] = sender
    email["To"] = "support@peyvand.example"
    email["Subject"] = subject
    email["Message-ID"] = make_msgid(domain="example.ir")
    email.set_content(text)
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    email.add_alternative(f'<div dir="rtl">{paragraphs}</div>', subtype="html")
    if photo:
        image = Image.new("RGB", (320, 200), "#dfe6ee")
        ImageDraw.Draw(image).rectangle((40, 40, 280, 160), outline="#2b4c7e", width=6)
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        email.add_attachment(
            buffer.getvalue(), maintype="image", subtype="png", filename="screen.png"
        )
    return email.as_bytes()
