"""Iran's 31 provinces with their main cities, and a starting set of guilds. Managers
edit both trees afterwards; this frozen copy only seeds a new installation."""

from django.db import migrations

PROVINCES = {
    "آذربایجان شرقی": ["تبریز", "مراغه", "مرند", "میانه"],
    "آذربایجان غربی": ["ارومیه", "خوی", "مهاباد", "میاندوآب"],
    "اردبیل": ["اردبیل", "پارس‌آباد", "مشگین‌شهر"],
    "اصفهان": ["اصفهان", "کاشان", "نجف‌آباد", "خمینی‌شهر", "شاهین‌شهر"],
    "البرز": ["کرج", "فردیس", "نظرآباد"],
    "ایلام": ["ایلام", "دهلران"],
    "بوشهر": ["بوشهر", "برازجان", "کنگان"],
    "تهران": ["تهران", "اسلامشهر", "شهریار", "ورامین", "پردیس"],
    "چهارمحال و بختیاری": ["شهرکرد", "بروجن"],
    "خراسان جنوبی": ["بیرجند", "قائن"],
    "خراسان رضوی": ["مشهد", "نیشابور", "سبزوار", "تربت حیدریه"],
    "خراسان شمالی": ["بجنورد", "شیروان"],
    "خوزستان": ["اهواز", "دزفول", "آبادان", "خرمشهر", "بندر ماهشهر"],
    "زنجان": ["زنجان", "ابهر"],
    "سمنان": ["سمنان", "شاهرود", "دامغان"],
    "سیستان و بلوچستان": ["زاهدان", "چابهار", "زابل", "ایرانشهر"],
    "فارس": ["شیراز", "مرودشت", "کازرون", "جهرم", "فسا"],
    "قزوین": ["قزوین", "تاکستان"],
    "قم": ["قم"],
    "کردستان": ["سنندج", "سقز", "مریوان"],
    "کرمان": ["کرمان", "رفسنجان", "سیرجان", "جیرفت", "بم"],
    "کرمانشاه": ["کرمانشاه", "اسلام‌آباد غرب"],
    "کهگیلویه و بویراحمد": ["یاسوج", "دوگنبدان"],
    "گلستان": ["گرگان", "گنبد کاووس", "علی‌آباد کتول"],
    "گیلان": ["رشت", "بندر انزلی", "لاهیجان", "لنگرود"],
    "لرستان": ["خرم‌آباد", "بروجرد", "دورود"],
    "مازندران": ["ساری", "بابل", "آمل", "قائم‌شهر", "نوشهر"],
    "مرکزی": ["اراک", "ساوه", "خمین"],
    "هرمزگان": ["بندرعباس", "قشم", "کیش", "میناب"],
    "همدان": ["همدان", "ملایر", "نهاوند"],
    "یزد": ["یزد", "میبد", "اردکان"],
}
CATEGORIES = {
    "تولیدی": ["صنایع غذایی", "پوشاک و نساجی", "مصالح ساختمانی", "قطعات خودرو"],
    "بازرگانی": ["واردات و صادرات", "پخش سراسری", "عمده‌فروشی"],
    "خدماتی": ["فناوری اطلاعات", "حمل و نقل", "مشاوره", "پزشکی و درمانی"],
    "فروشگاه": ["خرده‌فروشی", "فروشگاه زنجیره‌ای"],
}


def add(model, name, parent, order):
    node = model.objects.create(name=name, parent=parent, order=order)
    node.path = f"{parent.path if parent else ''}{node.pk}/"
    node.depth = parent.depth + 1 if parent else 0
    node.save(update_fields=["path", "depth"])
    return node


def seed(apps, schema_editor):
    for model_name, tree in [("Region", PROVINCES), ("Category", CATEGORIES)]:
        model = apps.get_model("contacts", model_name)
        if model.objects.exists():
            continue
        for order, (root_name, children) in enumerate(tree.items(), start=1):
            root = add(model, root_name, None, order)
            for child_order, child_name in enumerate(children, start=1):
                add(model, child_name, root, child_order)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_trees")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
