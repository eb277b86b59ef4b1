"""Demo students: families, contracts of every kind, payments, consumption, refunds."""


from xgapp import policy
from xgapp.clock import fixed as clock
from xgapp.demo.common import CLASS_WEEKS, instant


SCHOOLS = ["海淀实验小学", "中关村第一小学", "人大附中", "北大附中", "清华附中", "十一学校", "育英学校", "首师大附中",
           "八一学校", "理工附中"]
STUDENTS_PER_YEAR = 300


def students(rng, names, advisors, principal, years, today):
    """Students over `years` with guardians, contracts of every kind, split payments, consumption, refunds."""
    from datetime import timedelta
    from decimal import Decimal
    from itertools import count

    from xgapp.contracts import domain as contracts
    from xgapp.hours import domain as hours
    from xgapp.leads import domain as leads
    from xgapp.students import domain as students

    receipts = count(1)  # a receipt number is unique per campus

    supervisor = next(a for a in advisors if policy.has_role(a, "supervisor"))
    mobiles = rng.sample(range(13000000000, 19999999999), STUDENTS_PER_YEAR * years * 2)
    start = today - timedelta(days=365 * years)
    made = []
    for n in range(STUDENTS_PER_YEAR * years):
        opened = start + timedelta(days=rng.randrange(365 * years))
        name = names.person()
        referrer = rng.choice(made) if made and rng.random() < 0.1 else None
        data = {"name": name, "gender": rng.choice("MF"), "school": rng.choice(SCHOOLS),
                "grade": rng.choice(students.GRADES), "advisor": rng.choice(advisors),
                "source": "referral" if referrer else rng.choice(["hotline", "walkin", "street", "event", "online"]),
                "referrer": referrer, "special_attention": rng.random() < 0.05,
                "attention_note": "花生过敏" if rng.random() < 0.5 else "需家长亲自接送"}
        parent = rng.choice(["爸爸", "妈妈"])
        rng.choice(["父亲", "母亲"])  # drawn and unused: keeps every later draw (and so the demo) as it was
        guardians = [{"name": name[0] + parent, "relation": {"爸爸": "父亲", "妈妈": "母亲"}[parent],
                      "mobile": str(mobiles[2 * n]), "can_pickup": True}]
        if rng.random() < 0.5:
            guardians.append({"name": name[0] + "奶奶", "relation": "奶奶", "mobile": str(mobiles[2 * n + 1]),
                              "can_pickup": rng.random() < 0.7})
        with clock(instant(opened)):
            student = students.create(data["advisor"], data, guardians, today=opened)
        made.append(student)
        subject = rng.choice(["数学", "英语", "语文", "物理", "化学"])
        lead = leads.record_inquiry(data["advisor"], data["advisor"], data["source"], {}, guardians[0],
                                    subject=subject, today=opened, attach_to=student,
                                    note=rng.choice(["问小班课时间", "想补数学基础", "咨询一对一价格", "朋友推荐来的"]))
        path = rng.random()
        steps = ["invited", "visited", "trial"] if path < 0.75 else rng.choice([[], ["invited"], ["invited", "visited"]])
        for day, stage in enumerate(steps, start=1):
            if opened + timedelta(days=day) <= today:
                leads.advance(data["advisor"], lead, stage, opened + timedelta(days=day))
        if path >= 0.75 or rng.random() < 0.2:  # did not sign (yet)
            if rng.random() < 0.5 or opened < today - timedelta(days=60):
                leads.lose(data["advisor"], lead, rng.choice(["价格太高", "距离太远", "选择了其他机构", "时间不合适"]),
                           min(opened + timedelta(days=len(steps) + 2), today))
            else:
                leads.contact(data["advisor"], lead, "家长考虑中",
                              min(opened + timedelta(days=len(steps) + rng.randrange(2, 10)), today + timedelta(days=7)),
                              on=opened)
            continue
        signed = opened + timedelta(days=rng.randrange(4, 20))
        for round_ in range(rng.choice([1, 1, 2, 3])):
            if signed >= today:
                break
            if round_ and rng.random() < 0.35:  # 扩科: a subject the family has not bought yet
                taken = {c.subject for c in student.contracts}
                subject = rng.choice([x for x in ["数学", "英语", "语文", "物理", "化学"] if x not in taken])
            kind = contracts.suggested_kind(student, subject)
            bought = Decimal(rng.choice([20, 30, 40, 60]))
            price = Decimal(rng.choice([120, 150, 180, 200]))
            discount = Decimal(rng.choice([0, 0, 200, 500]))
            amount = bought * price - discount
            if rng.random() < 0.2:
                first = (amount * Decimal("0.6")).quantize(Decimal("1"))
                payments = [{"amount": str(first), "method": "wechat"},
                            {"amount": str(amount - first), "method": rng.choice(["cash", "card", "alipay"])}]
            else:
                payments = [{"amount": str(amount), "method": rng.choice(list(contracts.METHODS)),
                             "receipt_no": "R%06d-%d" % (rng.randrange(10**6), next(receipts))}]
            with clock(instant(signed)):
                contract = contracts.create(data["advisor"], student, {
                    "kind": kind, "subject": subject, "hours": str(bought), "unit_price": str(price),
                    "discount": str(discount), "free_hours": rng.choice(["0", "0", "2", "4"]),
                    "referrer": student.referrer if kind == "referral" else None}, payments, today=signed)
            left = hours.balance(student, contract=contract)
            month, used = 0, Decimal(0)
            # monthly consumption until a year ago; the last year's hours are used in classes (see _classes)
            while used < left and signed + timedelta(days=30 * (month + 1)) < today - timedelta(weeks=CLASS_WEEKS):
                take = min(Decimal(rng.choice([6, 8, 8, 10])), left - used)
                month_end = signed + timedelta(days=30 * (month + 1))
                with clock(instant(month_end)):
                    hours.consume(data["advisor"], student, subject, take, "%s 月课消" % month_end.strftime("%Y-%m"),
                                  "demo")
                used += take
                month += 1
            if rng.random() < 0.03 and used < left:
                with clock(instant(signed + timedelta(days=53), hour=10)):  # asked a week before it is decided
                    figures = contracts.refundable(contract)
                    refund = contracts.request_refund(data["advisor"], contract, figures["hours_left"],
                                                      figures["refundable"], "transfer", "家庭搬迁")
                with clock(instant(signed + timedelta(days=60))):
                    decider = principal if refund.requested_by_id == supervisor.id else supervisor
                    contracts.decide_refund(decider, refund, True, "同意", today=signed + timedelta(days=60))
                break
            signed = signed + timedelta(days=30 * max(month, 1))
        student = type(student).get_by_id(student.id)
        if student.status == "active" and hours.balance(student) <= 0:
            students.change_status(data["advisor"], student, "finished", signed, "课时用完")
        elif student.status == "active" and rng.random() < 0.1:
            students.change_status(data["advisor"], student, "paused", today - timedelta(days=rng.randrange(60)),
                                   "暑假停课")
    return made
