dnl Steward for Sendmail. Install as /etc/mail/m4/steward.m4 and add to /etc/mail/sendmail.mc
dnl (and submit.mc, so mail from the sendmail command is checked too: clause 11), before the
dnl MAILER lines:
dnl
dnl     include(`/etc/mail/m4/steward.m4')dnl
dnl
dnl then rebuild and restart Sendmail (Debian: `sendmailconfig`, or `make -C /etc/mail` and
dnl `systemctl restart sendmail`). In /etc/steward/steward.yaml set
dnl     milter: { socket: unix:/run/steward/steward.sock, socket_group: smmsp }
dnl (Sendmail is not chrooted; /run/steward is the unit's RuntimeDirectory).
dnl
dnl F=T: when Steward is down or fails, Sendmail answers 4xx and the sender retries, as
dnl Postfix's milter_default_action = tempfail: nothing passes unchecked.
dnl Timeouts: S connecting 10 s; R a reply to one step 5 min and E the end-of-message reply
dnl 10 min (a large message is inspected then; Steward answers tempfail itself before that).
INPUT_MAIL_FILTER(`steward', `S=unix:/run/steward/steward.sock, F=T, T=S:10s;R:5m;E:10m')dnl
dnl The login of an authenticated sender (impersonation, clause 14) and the queue id Steward
dnl logs: Sendmail's defaults send them at MAIL FROM already; named so a trimmed list gets them back.
define(`confMILTER_MACROS_ENVFROM', `i, {auth_type}, {auth_authen}, {auth_ssf}, {auth_author}, {mail_mailer}, {mail_host}, {mail_addr}')dnl
