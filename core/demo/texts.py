"""Wording the demo generator writes into free-text fields: findings, evidence, plans, notes.

Plain data, chosen with the generator's ``random.Random`` so the output stays deterministic.
Templates use ``str.format`` fields: ``{child}``, ``{guardian}``, ``{school}``, ``{town}``,
``{village}``, ``{place}``, ``{teacher}``.
"""

from __future__ import annotations

#: 辍学/未入学 reason → what the report says (reasonDetail).
REASON_DETAILS: dict[str, tuple[str, ...]] = {
    "FINANCIAL": (
        "家庭经济困难, 监护人称无力承担在校生活费用",
        "父亲患病丧失劳动能力, 家中仅靠低保维持, 孩子在家帮忙农活",
    ),
    "LEARNING_DIFFICULTY": (
        "学习跟不上, 多门功课不及格, 厌学情绪严重, 连续多日未到校",
        "沉迷手机游戏, 不愿上学, 家长管教无效",
        "与同学关系紧张, 自述不想再读书",
    ),
    "ILLNESS": (
        "患病住院治疗, 需长期休养",
        "经县人民医院诊断需长期治疗, 暂不能正常到校",
    ),
    "DISABILITY": (
        "重度残疾, 生活不能自理, 家长未送学",
        "残疾儿童, 监护人担心在校安全不愿送学",
    ),
    "FAMILY_CHANGE": (
        "父母离异后无人管教, 由年迈祖父母照看",
        "父亲去世, 母亲改嫁外地, 孩子随祖母生活后不愿上学",
    ),
    "WORK": (
        "随亲戚外出打工, 现在{place}一带",
        "未满十六周岁外出务工, 据邻居反映在{place}工厂做工",
    ),
    "EARLY_MARRIAGE": ("据村干部反映已订婚, 家长不再送学",),
    "MIGRATION": (
        "随父母外出, 现居{place}, 尚未在当地办理入学手续",
        "举家外出务工, 去向待核实",
    ),
    "GUARDIAN_REFUSAL": (
        "监护人认为读书无用, 拒绝送学",
        "家长要求孩子在家照顾弟妹, 不送学",
    ),
    "UNKNOWN": ("连续多日未到校, 原因不明", "开学未报到, 电话无人接听"),
    "OTHER": ("其他原因未到校, 待进一步核实",),
    "TEACHER_MISCONDUCT": ("学生反映与任课教师发生冲突后不愿到校",),
    "NO_GUARDIANSHIP": ("父母均外出多年未归, 无人履行监护职责",),
    "NO_HOUSEHOLD_REGISTRATION": ("无户籍, 未能办理入学手续",),
}

WHEREABOUTS: tuple[str, ...] = (
    "在家",
    "在{village}祖父母家",
    "随父母在{place}",
    "在县城亲戚家",
    "去向不明",
)

VERIFICATION_FINDINGS: tuple[str, ...] = (
    "经班主任和学籍管理员核实, 该生确已连续 15 个工作日未到校",
    "入户核实, 学生在家, 确认未返校就读",
    "与监护人{guardian}电话及入户核实, 确认辍学在家",
    "经村委会协助核实, 该生未在任何学校就读",
)

DISMISSAL_EVIDENCE: dict[str, tuple[str, ...]] = {
    "DATA_ERROR": (
        "学籍系统信息有误, 学生一直正常在校就读, 已更正",
        "考勤记录录入错误, 经核对该生正常上课",
    ),
    "STUDYING_ELSEWHERE": ("已在{place}就读, 当地学校出具在读证明",),
    "NOT_OF_SCHOOL_AGE": ("经核对户籍, 出生日期登记有误, 不在义务教育年龄段",),
    "OTHER": ("请病假在家, 已提供医院证明, 假满返校",),
}

CONTACT_METHODS: dict[str, tuple[str, ...]] = {
    "HOME_VISIT": ("入户走访", "联合村干部入户"),
    "PHONE_CALL": ("电话联系监护人", "微信视频联系"),
    "PERSUASION": ("面对面劝返谈话", "联合乡镇干部劝返", "校长、班主任上门劝返"),
}

CONTACT_NOTES: dict[str, tuple[str, ...]] = {
    "NOT_REACHED": ("家中无人, 邻居称全家已外出", "电话无人接听", "电话号码已停机"),
    "REACHED": ("与监护人沟通, 讲解义务教育法, 家长表示考虑", "孩子情绪稳定, 答应考虑返校"),
    "AGREED_TO_RETURN": ("家长和孩子同意下周一返校", "经多次劝导, 学生同意返校就读"),
    "REFUSED": ("监护人态度强硬, 拒绝送学", "学生本人坚持不愿返校"),
}

VISIT_FINDINGS: tuple[str, ...] = (
    "家庭情况稳定, 学生在家表现良好, 按时完成作业",
    "祖辈监护, 辅导作业有困难, 建议参加课后服务",
    "家庭经济困难, 已告知资助政策, 协助申请生活补助",
    "学生情绪低落, 与父母沟通少, 已安排心理老师跟进",
    "住房条件较差, 已向村委会反映",
    "父母长期在外务工, 已建立亲情视频联系",
    "学生反映上学路途远, 建议安排寄宿",
    "家长重视教育, 学生学习积极性高",
)

VERIFICATION_VISIT_FINDINGS: tuple[str, ...] = (
    "核查走访: 全家在外务工, 孩子随迁在{place}就读, 已取得在读证明",
    "核查走访: 邻居反映全家外出, 去向待乡镇协助核实",
)

ONE_POLICY_PLANS: tuple[str, ...] = (
    "学习上安排科任教师每周辅导两次; 生活上落实资助政策; 心理上每月谈心一次",
    "建立成长档案, 班主任每周了解出勤情况, 每月家访或电话联系一次",
    "落实两免一补和营养餐, 安排寄宿, 联系爱心人士结对资助",
)
PAIRING_PLANS: tuple[str, ...] = (
    "大手拉小手: 教师与学生结对, 每周学业辅导一次, 节假日电话关心",
    "结对帮扶: 关注学习、生活和心理, 每学期家访不少于两次",
)
PLACEMENT_PLANS: dict[str, str] = {
    "SPECIAL": "经特殊教育专家委员会评估, 安置到特殊教育学校就读",
    "INCLUSIVE": "经特殊教育专家委员会评估, 在就近学校随班就读, 配备资源教师",
    "HOME_DELIVERED": "经特殊教育专家委员会评估, 实施送教上门, 每月不少于四次",
    "NONE": "经特殊教育专家委员会评估, 暂缓入学, 康复训练后再评估安置",
}
HOME_TEACHING_PLAN = "送教上门: 每周一次, 每次两课时, 内容包括生活适应、康复训练和文化学习"

FUNDERS: tuple[str, ...] = (
    "县慈善总会",
    "希望工程",
    "春蕾计划",
    "爱心企业捐助",
    "县妇联",
    "共青团县委",
)

SUSPENSION_REASONS: tuple[str, ...] = ("因病休学", "因伤休学, 需长期康复")
RESUMPTION_REASONS: tuple[str, ...] = ("病愈复学", "康复后复学")
TRANSFER_OUT_REASONS: tuple[str, ...] = ("随父母外出务工转学", "举家外出, 转入务工地学校")
TRANSFER_IN_REASONS: tuple[str, ...] = ("随父母进城务工转入", "随迁子女转入")
