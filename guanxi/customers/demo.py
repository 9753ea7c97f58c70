"""Demo data: a realistic Chinese SMB customer base written with bulk inserts."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.core.demo import register_demo
from guanxi.customers.normalize import name_keys
from guanxi.customers.services.bulkwrite import insert_rows, new_row, reserve_ids

BATCH = 5000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "小明",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "丹",
    "宇",
    "欣怡",
    "子涵",
    "浩然",
    "梓萱",
    "一鸣",
    "思远",
    "佳琪",
    "文博",
    "雨桐",
]
BRANDS = [
    "华信",
    "恒通",
    "鑫源",
    "瑞丰",
    "宏达",
    "天成",
    "金桥",
    "博远",
    "安泰",
    "永盛",
    "嘉禾",
    "锦程",
    "中科",
    "新航",
    "海纳",
    "东方",
    "广联",
    "盛世",
    "卓越",
    "同创",
    "汇丰",
    "九州",
    "鼎新",
    "蓝海",
    "优品",
    "智联",
    "长虹",
    "星辰",
    "云帆",
    "信达",
]
INDUSTRIES = [
    ("制造", "制造业"),
    ("科技", "信息技术"),
    ("贸易", "批发零售"),
    ("餐饮", "餐饮"),
    ("医药", "医药健康"),
    ("物流", "交通物流"),
    ("建材", "建筑建材"),
    ("食品", "食品饮料"),
    ("教育", "教育培训"),
    ("电子", "电子元器件"),
    ("服饰", "服装纺织"),
    ("化工", "化工"),
]
SUFFIXES = ["有限公司", "股份有限公司", "贸易有限公司", "商行", "集团有限公司"]
PLACES = [
    ("上海市", "上海市", ["浦东新区", "徐汇区", "静安区", "闵行区"], "华东"),
    ("江苏省", "南京市", ["鼓楼区", "玄武区", "江宁区"], "华东"),
    ("江苏省", "苏州市", ["工业园区", "姑苏区", "吴中区"], "华东"),
    ("浙江省", "杭州市", ["西湖区", "滨江区", "余杭区"], "华东"),
    ("浙江省", "宁波市", ["鄞州区", "海曙区"], "华东"),
    ("广东省", "广州市", ["天河区", "越秀区", "番禺区"], "华南"),
    ("广东省", "深圳市", ["南山区", "福田区", "宝安区"], "华南"),
    ("北京市", "北京市", ["朝阳区", "海淀区", "东城区"], "华北"),
    ("天津市", "天津市", ["和平区", "南开区"], "华北"),
    ("四川省", "成都市", ["武侯区", "锦江区", "高新区"], "西南"),
    ("湖北省", "武汉市", ["江汉区", "洪山区"], "华中"),
    ("山东省", "青岛市", ["市南区", "崂山区"], "华东"),
    ("福建省", "厦门市", ["思明区", "湖里区"], "华南"),
    ("陕西省", "西安市", ["雁塔区", "碑林区"], "西北"),
]
STREETS = [
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "长江路",
    "南京路",
    "和平路",
    "科技路",
    "创新大道",
    "世纪大道",
]
SOURCES = ["官网", "展会", "老客户推荐", "电话营销", "微信公众号", "天猫店", "线下门店", "合作伙伴"]
DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "aliyun.com"]
TAGS = ["重点客户", "VIP", "老客户", "价格敏感", "需回访", "年度大单"]
STAGE_WEIGHTS = [
    ("lead", 8),
    ("prospect", 10),
    ("new", 12),
    ("active", 35),
    ("loyal", 12),
    ("at_risk", 10),
    ("churned", 8),
    ("won_back", 5),
]
SUBJECTS = {
    "call": ["电话沟通需求", "回访使用情况", "确认订单细节", "催收款项"],
    "meeting": ["年度合作洽谈", "产品演示会", "季度业务回顾"],
    "visit": ["上门拜访", "现场技术支持", "节日慰问拜访"],
    "email": ["发送报价单", "发送合同草案", "节日问候邮件"],
    "note": ["客户反馈价格偏高", "客户计划扩大采购", "关键决策人变更"],
    "task": ["定期回访", "准备报价", "跟进样品反馈", "安排技术交流"],
}


def _chunks(it: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in it:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _mobile(rng: random.Random) -> str:
    return f"+861{rng.choice('35789')}{rng.randrange(10**9):09d}"


def generate_accounts(
    *, size: int, seed: int, owners: list[Any], start_index: int = 0
) -> Iterator[Any]:
    """Unsaved Account objects with realistic names, places, channels and search keys."""
    from guanxi.customers.models import Account

    rng = random.Random(seed)
    now = timezone.now()
    stages = [s for s, _w in STAGE_WEIGHTS]
    weights = [w for _s, w in STAGE_WEIGHTS]
    for i in range(start_index, start_index + size):
        owner = owners[i % len(owners)]
        province, city, districts, region = rng.choice(PLACES)
        individual = rng.random() < 0.4
        if individual:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            industry = ""
            kind = Account.Kind.INDIVIDUAL
        else:
            short, industry = rng.choice(INDUSTRIES)
            name = f"{city.removesuffix('市')}{rng.choice(BRANDS)}{short}{rng.choice(SUFFIXES)}"
            kind = Account.Kind.ORGANIZATION
        search_name, pinyin, initials = name_keys(name)
        mobile = _mobile(rng)
        phone = (
            ""
            if individual
            else f"+86{rng.choice(['21', '10', '20', '755', '571'])}{rng.randrange(10**7, 10**8)}"
        )
        email = f"{pinyin[:12]}{i}@{rng.choice(DOMAINS)}"
        created = now - dt.timedelta(days=rng.randrange(3 * 365), minutes=rng.randrange(1440))
        yield Account(
            kind=kind,
            name=name,
            email=email,
            mobile=mobile,
            phone=phone,
            wechat=f"wx_{pinyin[:10]}{i % 997}" if rng.random() < 0.6 else "",
            province=province,
            city=city,
            district=rng.choice(districts),
            street=f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
            industry=industry,
            region=region,
            source=rng.choice(SOURCES),
            gender=rng.choice(["male", "female"]) if individual else "",
            birthday=dt.date(rng.randrange(1960, 2002), rng.randrange(1, 13), rng.randrange(1, 29))
            if individual
            else None,
            customer_since=created.date(),
            lifecycle_stage=rng.choices(stages, weights)[0],
            consent_email=rng.random() < 0.6,
            consent_sms=rng.random() < 0.5,
            consent_marketing=rng.random() < 0.4,
            owner_id=owner.pk,
            team_id=owner.team_id,
            search_name=search_name,
            search_pinyin=pinyin,
            search_initials=initials,
            email_key=email,
            phone_rev=mobile[3:][::-1],
            phone2_rev=phone[3:][::-1],
            created_at=created,
            updated_at=created,
        )


def _insert_with_ids(model: Any, objs: list[Any]) -> list[Any]:
    """INSERT rows whose ids are needed afterwards (accounts): ids reserved first."""
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    insert_rows(model, objs, with_ids=True)
    return objs


@register_demo("customers.accounts", order=10)
def demo_customers(*, size: int, seed: int, out: Callable[[str], None]) -> None:
    """Accounts, contacts, stage history and three years of activities, in bulk."""
    from guanxi.core.models import User
    from guanxi.customers.models import Account, Activity, Contact, LifecycleChange, Tag

    if Account.all_objects.exists():
        out("customers: already present, skipped")
        return
    owners = list(
        User.objects.filter(username__in=["sales", "sales2", "sales3", "manager"]).order_by(
            "username"
        )
    )
    if not owners:
        out("customers: no demo users, skipped")
        return
    rng = random.Random(seed + 1)
    now = timezone.now()
    tags = list(Tag.objects.bulk_create([Tag(name=t) for t in TAGS], ignore_conflicts=True))
    tags = list(Tag.objects.filter(name__in=TAGS))
    through = Account.tags.through
    accounts_done = contacts_done = activities_done = 0
    activities_per_account = 3 if size <= 20000 else 0.3
    for batch in _chunks(generate_accounts(size=size, seed=seed, owners=owners), BATCH):
        with transaction.atomic():
            created = _insert_with_ids(Account, batch)
            # The rest needs no ids back: plain rows through the database's bulk path.
            insert_rows(
                LifecycleChange,
                [
                    new_row(
                        LifecycleChange,
                        account_id=a.pk,
                        from_stage="",
                        to_stage=a.lifecycle_stage,
                        source="import",
                        at=a.created_at,
                    )
                    for a in created
                ],
            )
            insert_rows(
                through,
                [
                    new_row(through, account_id=a.pk, tag_id=rng.choice(tags).pk)
                    for a in created
                    if rng.random() < 0.3
                ],
            )
            contacts = []
            for a in created:
                if a.kind != Account.Kind.ORGANIZATION:
                    continue
                for n in range(rng.choice([1, 1, 2, 3]) if size <= 100000 else 1):
                    cname = rng.choice(SURNAMES) + rng.choice(GIVEN)
                    ck = name_keys(cname)
                    mobile = _mobile(rng)
                    contacts.append(
                        new_row(
                            Contact,
                            account_id=a.pk, owner_id=a.owner_id, team_id=a.team_id, name=cname,
                            title=rng.choice(["总经理", "采购经理", "财务", "技术总监", "行政主管"]),
                            mobile=mobile, email=f"{ck[1]}{a.pk}{n}@{rng.choice(DOMAINS)}",
                            is_primary=n == 0, search_name=ck[0], search_pinyin=ck[1], search_initials=ck[2],
                            email_key=f"{ck[1]}{a.pk}{n}@x", phone_rev=mobile[3:][::-1],
                            created_at=a.created_at, updated_at=a.created_at,
                        )
                    )  # fmt: skip
            for c in contacts:
                c.email_key = c.email
            insert_rows(Contact, contacts)
            activities = []
            for a in created:
                count = int(activities_per_account) + (
                    1 if rng.random() < activities_per_account % 1 else 0
                )
                for _n in range(count):
                    kind = rng.choice(list(SUBJECTS))
                    span = max(1, int((now - a.created_at).total_seconds()))
                    when = a.created_at + dt.timedelta(seconds=rng.randrange(span))
                    is_task = kind == "task"
                    due = now + dt.timedelta(days=rng.randrange(-5, 10)) if is_task else None
                    activities.append(
                        new_row(
                            Activity,
                            account_id=a.pk, owner_id=a.owner_id, team_id=a.team_id, kind=kind,
                            subject=rng.choice(SUBJECTS[kind]), occurred_at=due or when, due_at=due,
                            assignee_id=a.owner_id if is_task else None,
                            done_at=None if not is_task or rng.random() < 0.5 else now,
                            repeat_every_days=30 if is_task and rng.random() < 0.3 else None,
                            created_at=when, updated_at=when,
                        )
                    )  # fmt: skip
            insert_rows(Activity, activities)
        accounts_done += len(created)
        contacts_done += len(contacts)
        activities_done += len(activities)
        if size >= 50000:
            out(f"  customers: {accounts_done}/{size}")
    out(
        f"customers: {accounts_done} accounts, {contacts_done} contacts, {activities_done} activities"
    )
