"""What the 投诉回复 follow-ups of earlier versions meant, in the complaint register: each one was an advisor's answer
to a family's complaint, so each becomes a complaint received and closed at that moment by that advisor, about
"other", from whom the call was with, holding the call's content and result. The family's answer was never asked,
so it stays empty (shown as "not asked"). The follow-ups themselves stay as they were."""

MIGRATE_SQL = """
INSERT INTO complaint (student_id, complainant, complainant_kind, about, about_user_id, channel, content, severity,
                       received_at, received_by_id, owner_id, first_response_at, resolution, satisfaction,
                       satisfaction_note, closed_at, closed_by_id)
SELECT f.student_id,
       CASE f.whom WHEN 'parent' THEN COALESCE((SELECT g.name FROM guardian g WHERE g.student_id = f.student_id
                                                 ORDER BY g.position, g.id LIMIT 1), s.name || '家长')
                   ELSE s.name END,
       CASE f.whom WHEN 'parent' THEN 'guardian' WHEN 'student' THEN 'student' ELSE 'other' END,
       'other', NULL,
       CASE f.channel WHEN 'phone' THEN 'phone' WHEN 'wechat' THEN 'wechat' WHEN 'face' THEN 'visit' ELSE 'other' END,
       '（由投诉回复回访迁移）' || f.purpose || CASE WHEN f.content != '' THEN char(10) || f.content ELSE '' END,
       'normal', f.at, f.advisor_id, f.advisor_id, f.at,
       CASE WHEN f.result != '' THEN f.result WHEN f.content != '' THEN f.content ELSE f.purpose END,
       '', '', f.at, f.advisor_id
  FROM follow_up f JOIN student s ON s.id = f.student_id
 WHERE f.kind = 'complaint'
 ORDER BY f.at, f.id
"""


def up(db, migrator):
    db.execute_sql(MIGRATE_SQL)
