"""What the bundle's columns mean, in Chinese: `data/_columns.csv` beside the tables, so head office can read a
table in Excel whose header row keeps the database's column names (machines and earlier bundles read those).

A column is labelled by its table's own entry, else by the shared name (`COLUMNS`); a `<thing>_id` column names the
row of another table it points to. `tests/test_export.py` fails when an exported table or column has no label.
"""

TABLES = {
    "attendance": "点名记录", "briefing": "课前说明会", "briefing_attendee": "说明会参会人", "campus": "校区",
    "campus_rule": "校区规则", "classroom": "教室", "complaint": "投诉", "complaint_step": "投诉处理记录",
    "contract": "合同", "enrolment": "报班记录",
    "first_lesson_feedback": "首课后反馈", "follow_task": "回访任务", "follow_up": "回访记录", "guardian": "监护人",
    "holiday": "休息日", "hour_entry": "课时流水", "lead": "咨询", "lead_step": "咨询进展", "leave_notice": "请假",
    "lesson": "课次", "makeup": "调课/补课", "manual_count": "手工计数", "month_report": "月报", "notice": "提醒",
    "parent_meeting": "家长会", "parent_meeting_attendee": "家长会参会人", "payment": "收款", "refund": "退费",
    "school_class": "班级", "score": "成绩", "signed_copy": "签字件", "stage_test": "阶段测试", "student": "学员",
    "student_change": "学员异动", "student_status_change": "学员状态变更", "study_question": "自习答疑",
    "study_visit": "自习签到", "study_visit_exit": "自习中途离开", "suspension": "停课", "target": "月度目标",
    "teacher_month": "老师月课时核对", "teaching_plan": "教学计划", "user": "员工账号", "user_role": "员工角色",
}

# The row another table's `<thing>_id` column points to.
POINTS_TO = {
    "student": "学员", "contract": "合同", "lesson": "课次", "class": "班级", "to_class": "转入班级",
    "classroom": "教室", "teacher": "老师", "advisor": "学管师", "by": "操作人", "created_by": "创建人",
    "updated_by": "修改人", "confirmed_by": "确认人", "closed_by": "关闭人", "decided_by": "审批人",
    "done_by": "完成人", "effective_by": "生效确认人", "handed_to": "移交给", "about_user": "被投诉人", "owner": "负责人", "complaint": "投诉",
    "host": "主持人", "lead": "咨询",
    "meeting": "家长会", "briefing": "说明会", "missed_attendance": "缺课点名记录", "missed_lesson": "缺的课次",
    "override_by": "特批人", "paper_received_by": "纸质件接收人", "pickup_guardian": "接送监护人",
    "recorded_by": "记录人", "referrer": "介绍人（学员）", "requested_by": "申请人", "resolved_by": "处理人",
    "reviewed_by": "审核人", "signed_in_by": "签到操作人", "signed_out_by": "签退操作人", "task": "回访任务",
    "test": "阶段测试", "user": "员工", "visit": "自习签到", "received_by": "接收人", "corrects": "更正的流水",
    "advisor_by": "学管师确认人",
}

COLUMNS = {
    "id": "编号", "active": "在用（1/0）", "advisor_at": "学管师确认时间", "advisor_hours": "学管师核对课时",
    "advisor_lessons": "学管师核对课次", "advisor_note": "学管师备注", "advisor_report": "学管师汇报", "amount": "金额（元）",
    "analysis": "分析", "answer": "解答", "arrived_at": "到达时间", "at": "时间", "attention_note": "特别关注说明",
    "back_at": "返回时间", "behaviour_note": "表现记录", "birthday": "出生日期", "came": "到场（1/0）",
    "can_pickup": "可接送（1/0）", "capacity": "人数上限", "channel": "方式/渠道", "closed_at": "关闭时间", "code": "代码",
    "confirmed_at": "确认时间", "content": "内容", "count": "数量", "created_at": "创建时间", "day": "日期",
    "decided_at": "审批时间", "decision_note": "审批意见", "discount": "优惠（元）", "display_name": "姓名",
    "done_at": "完成时间", "due_on": "应完成日期", "effective": "生效日期", "effective_at": "生效时间",
    "effective_on": "生效日期", "end_on": "结束日期", "ends_at": "结束时间", "escalate": "上报主管（1/0）", "form": "表单",
    "free_hours": "赠送课时", "from_parent": "家长反馈", "from_student": "学员反馈", "from_teacher": "老师反馈",
    "full_score": "满分", "gender": "性别（M 男 / F 女）", "goals": "目标", "grade": "年级", "homework_checked": "作业已查（1/0）",
    "homework_note": "作业情况", "hours": "课时", "hours_effect": "课时处理", "joined_on": "入班日期", "kind": "类型",
    "late": "迟到（1/0）", "left_at": "离开时间", "left_on": "离班日期", "lesson_hours": "每次课时", "link": "链接",
    "locale": "界面语言", "lost_reason": "流失原因", "mark": "出勤（present 出勤 / late 迟到 / leave 请假 / absent 旷课）",
    "may_leave_alone": "可自行回家（1/0）", "method": "方式", "missing_required": "缺少必需项", "mobile": "手机",
    "month": "月份", "name": "名称/姓名", "next_contact": "下次联系日期", "next_on": "下次跟进日期", "next_step": "下一步",
    "note": "备注", "notes": "备注", "number": "编号", "on": "日期", "out_at": "离开时间", "overdraft": "透支（1/0）",
    "override_reason": "特批原因", "paper_received_at": "纸质件收到时间", "parent_note": "家长备注",
    "parent_questions": "家长问题", "parents_to_do": "家长配合事项", "pickup_kind": "接送方式", "pickup_name": "接送人",
    "pickup_on_file": "接送人在档案中（1/0）", "pickup_relation": "接送人关系", "place": "地点", "plan": "计划",
    "planned_lessons": "计划课次", "position": "顺序", "postpone_reason": "延期原因", "postponed": "延期次数",
    "prep_exercises": "准备：练习", "prep_materials": "准备：资料", "prep_problems": "准备：问题", "prep_questions": "准备：提问",
    "prep_records": "准备：记录", "prep_topics": "准备：议题", "problems": "问题", "purpose": "目的", "qa": "答疑",
    "question": "问题", "read_at": "已读时间", "reason": "原因", "received_at": "收到时间", "receipt_no": "收据号",
    "recorded_at": "记录时间",
    "ref": "引用", "referrer_note": "介绍人说明", "refund": "退费编号", "relation": "关系", "reported_at": "报告时间",
    "requested_at": "申请时间", "resolved_at": "处理时间", "resolved_note": "处理说明", "result": "结果",
    "resumed_on": "复课日期", "review_note": "审核意见", "reviewed_at": "审核时间", "role": "角色", "rule_amount": "按规则金额（元）",
    "school": "学校", "score": "分数", "search_text": "检索文字（拼音）", "seats": "座位数", "seq": "第几次课",
    "serious": "重要（1/0）", "sessions": "课次安排", "signed_on": "签约日期", "solutions": "解决办法", "source": "来源",
    "special_attention": "特别关注（1/0）", "stage": "阶段", "stage_on": "阶段日期", "start_on": "开始日期",
    "starts_at": "开始时间", "status": "状态", "status_since": "状态起始日期", "subject": "科目", "subjects": "科目",
    "submitted_at": "提交时间", "summary": "总结", "syllabus": "教学大纲", "teacher_at": "老师确认时间",
    "teacher_hours": "老师核对课时", "teacher_lessons": "老师核对课次", "teacher_note": "老师备注",
    "teacher_report": "老师汇报", "text": "内容", "unit_price": "单价（元）", "updated_at": "修改时间", "username": "用户名",
    "value": "取值", "wechat": "微信", "whom": "对象",
}

# Where a shared name means something else in one table.
BY_TABLE = {
    ("hour_entry", "source"): "起因（contract:n 合同 / lesson:n 课次 / correction:n 更正）",
    ("hour_entry", "kind"): "类型（purchase 购买 / free 赠送 / consume 消耗 / refund 退费 / transfer_in 转入 / "
                            "transfer_out 转出 / correction 更正）",
    ("hour_entry", "hours"): "课时（+ 增加 / − 减少）",
    ("payment", "amount"): "金额（元；负数为退费）",
    ("payment", "method"): "方式（cash 现金 / wechat 微信 / alipay 支付宝 / card 刷卡 / transfer 转账）",
    ("refund", "method"): "退款方式（cash 现金 / wechat 微信 / alipay 支付宝 / card 刷卡 / transfer 转账）",
    ("contract", "kind"): "类型（new 新签 / renewal 续费 / expansion 扩科 / referral 转介绍）",
    ("student", "source"): "来源（hotline 热线电话 / walkin 上门 / street 地推 / referral 转介绍 / event 活动 / online 网络 / "
                           "other 其他）",
    ("lesson", "day"): "上课日期", ("lesson", "hours"): "课时", ("lesson", "status"): "状态（planned 计划 / done 已点名 / "
                                                                                   "cancelled 已取消）",
    ("campus", "name"): "校区名称", ("classroom", "name"): "教室名称", ("school_class", "name"): "班级名称",
    ("student", "name"): "学员姓名", ("guardian", "name"): "监护人姓名", ("holiday", "name"): "休息日名称",
    ("campus_rule", "name"): "规则", ("stage_test", "name"): "测试名称", ("briefing_attendee", "name"): "参会人姓名",
    ("parent_meeting_attendee", "name"): "参会人姓名",
    ("complaint", "complainant"): "投诉人", ("complaint", "complainant_kind"): "投诉人身份（guardian 家长 / student 学员 / "
                                                                            "other 其他）",
    ("complaint", "about"): "投诉事项（teaching 教学 / teacher 老师 / advisor 学管师 / service 服务 / fees 费用退费 / "
                            "environment 环境 / safety 安全 / other 其他）",
    ("complaint", "channel"): "渠道（phone 电话 / visit 来访 / wechat 微信 / letter 书面 / online 网上评价 / other 其他）",
    ("complaint", "severity"): "严重程度（normal 一般 / serious 严重）",
    ("complaint", "first_response_at"): "首次回应时间", ("complaint", "resolution"): "处理结果",
    ("complaint", "satisfaction"): "家长对处理的意见（satisfied 满意 / accepted 接受 / unsatisfied 不满意）",
    ("complaint", "satisfaction_note"): "家长意见说明", ("complaint_step", "kind"): "类型（step 处理 / handover 移交）",
}


def label(table, column):
    """The Chinese name of `table`.`column`, or None when it has none (the test then fails)."""
    if (table, column) in BY_TABLE:
        return BY_TABLE[(table, column)]
    if column in COLUMNS:
        return COLUMNS[column]
    if column.endswith("_id") and column[:-3] in POINTS_TO:
        return "%s编号" % POINTS_TO[column[:-3]]
    return None


def rows(models, columns):
    """The lines of data/_columns.csv: header, then (表, 表名, 列, 列名) for every exported column."""
    lines = [["表 table", "表名", "列 column", "列名"]]
    for table, model in models.items():
        for name, _field in columns(model):
            lines.append([table, TABLES.get(table, ""), name, label(table, name) or ""])
    return lines
