from django.db import migrations

# Frozen copy of the defaults at the time of this migration (later edits to
# peyvand.lookups.models.DEFAULTS must not change what old migrations did).
DEFAULTS = {
    "AcquaintanceSource": [
        {"name": n}
        for n in ["تماس تلفنی", "وب‌سایت", "نمایشگاه", "معرفی مشتریان", "شبکه‌های اجتماعی", "تبلیغات"]
    ],
    "Position": [
        {"name": n}
        for n in ["مدیرعامل", "مدیر فروش", "مدیر بازرگانی", "کارشناس خرید", "مدیر مالی", "منشی"]
    ],
    "Channel": [{"name": n} for n in ["تلفن", "حضوری", "پیامک", "ایمیل", "وب‌سایت", "واتس‌اپ"]],
    "FollowUpResult": [
        {"name": "تماس اولیه", "priority": 1},
        {"name": "پیگیری", "priority": 2},
        {"name": "ارسال پیش فاکتور", "priority": 2},
        {"name": "ارسال فایل و کاتالوگ", "priority": 3},
        {"name": "ارسال لیست مشتریان", "priority": 3},
        {"name": "ارسال فاکتور", "priority": 4},
    ],
    "Urgency": [
        {"name": "آنی", "deadline_days": 0},
        {"name": "فوری", "deadline_days": 0},
        {"name": "عادی", "deadline_days": 1},
    ],
    "RequestType": [
        {"name": "درخواست خدمات", "level": 1},
        {"name": "شکایت", "level": 1},
        {"name": "پیشنهاد", "level": 1},
        {"name": "نصب و راه‌اندازی", "level": 2},
        {"name": "تعمیر", "level": 2},
        {"name": "پرسش", "level": 3},
    ],
}


def load_defaults(apps, schema_editor):
    for model_name, rows in DEFAULTS.items():
        model = apps.get_model("lookups", model_name)
        for order, row in enumerate(rows, start=1):
            model.objects.get_or_create(name=row["name"], defaults={**row, "order": order})


class Migration(migrations.Migration):
    dependencies = [("lookups", "0001_initial")]
    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
