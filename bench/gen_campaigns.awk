# bench/gen_campaigns.awk -- writes models.camp and n campaign files into
# dir for bench/compile.sh: realistic campaigns (filters, templates, nested
# branches, actions), about 10 KB each, deterministic.
function campaign(f, i, j,    p) {
  p = "c" i "_" j
  printf "# Campaign %d.%d: onboarding and re-engagement for segment %d.\n", i, j, j > f
  printf "campaign %s \"Onboarding %d/%d\" {\n", p, i, j > f
  printf "  target contact\n" > f
  printf "  where email is set and not opt_out and country in [\"FR\", \"DE\", \"BE\", \"NL\"] and score >= %d and created > now - 90 days\n", j * 3 > f
  printf "  unique email\n  code \"%s-2026\"\n\n", p > f
  printf "  email welcome after 2 hours {\n" > f
  printf "    subject \"Welcome {{ name | default: 'friend' }}, your %d%% discount is waiting\"\n", 10 + j > f
  printf "    body \"\"\"\n<html><body><h1>Hello {{ name | capitalize }}</h1>\n<p>Thanks for joining from {{ country }}. Your score is {{ score }}.</p>\n<p><a href=\"https://example.com/offer?c=%s\">See the offer</a></p>\n<p>Sent to {{ email }} on {{ now | date: '%%Y-%%m-%%d' }}.</p>\n</body></html>\n\"\"\"\n", p > f
  printf "    text \"Hello {{ name }}, see https://example.com/offer\"\n" > f
  printf "    from \"Camp Team <team@example.com>\"\n    expire 7 days\n\n" > f
  printf "    on click within 30 days {\n      action tag_hot after 1 hour {\n        add_tag(\"hot\")\n        set(score, score + 10)\n        note(\"clicked the welcome email of %s\")\n      }\n    }\n\n", p > f
  printf "    on no open within 3 days {\n      email reminder {\n        subject \"Did you miss this, {{ name | first_word }}?\"\n        body \"<p>Your offer ends soon, {{ name }}.</p><p><a href='https://example.com/r'>Open it</a></p>\"\n        where not opt_out and \"vip\" not in tags\n\n" > f
  printf "        on reply within 14 days {\n          action assign after 2 hours {\n            create(call, subject: \"Call back {{ name }}\", due: now + 2 days, user: salesperson)\n          }\n        }\n      }\n    }\n\n" > f
  printf "    on bounce within 7 days {\n      action block {\n        opt_out()\n        note(\"address bounced\")\n      }\n    }\n  }\n\n" > f
  printf "  sms nudge after 5 days {\n    text \"{{ name | first_word }}, your code WELCOME%d ends Sunday: https://example.com/s\"\n    where phone is set and lower(country) != \"us\"\n\n    on click within 2 days {\n      action thanks { add_tag(\"sms-click\") }\n    }\n  }\n}\n\n", j > f
}
BEGIN {
  m = dir "/models.camp"
  print "# Models shared by the benchmark campaigns." > m
  print "model contact {\n  name text\n  email email\n  phone phone\n  opt_out bool\n  country text\n  tags tags\n  score int\n  created datetime\n  salesperson text\n}\n" > m
  print "model call {\n  subject text\n  due datetime\n  user text\n}" > m
  close(m)
  for (i = 1; i <= n; i++) {
    f = sprintf("%s/campaigns_%04d.camp", dir, i)
    print "use \"models.camp\"\n" > f
    for (j = 1; j <= 6; j++) campaign(f, i, j)
    close(f)
  }
}
