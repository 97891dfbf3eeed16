# The e-mail outbox (comments.Notification) replaces Comment.reply_notified, which was set before the
# message was sent. Replies already notified keep a "sent" row, so a later re-approval sends nothing.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def notified_replies_to_outbox(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Notification = apps.get_model("comments", "Notification")
    notified = Comment.objects.filter(reply_notified=True).values_list("pk", flat=True).iterator(chunk_size=2000)
    batch = []
    for pk in notified:
        batch.append(Notification(comment_id=pk, kind="reply", state="sent", attempts=1))
        if len(batch) == 2000:
            Notification.objects.bulk_create(batch)
            batch = []
    Notification.objects.bulk_create(batch)


def outbox_to_notified_replies(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Notification = apps.get_model("comments", "Notification")
    sent = Notification.objects.filter(kind="reply", state="sent").values("comment_id")
    Comment.objects.filter(pk__in=sent).update(reply_notified=True)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_reason_spam_check"),
    ]

    operations = [
        migrations.CreateModel(
            name="Notification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("reply", "Reply, to the reader answered"),
                            ("reported", "Hidden after reports, to moderators"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sending", "Being sent"),
                            ("sent", "Sent"),
                            ("failed", "Failed, given up"),
                            ("cancelled", "No longer needed"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "reports",
                    models.PositiveIntegerField(
                        default=0, help_text="Reports that hid the comment.", verbose_name="reports"
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("last_error", models.CharField(blank=True, max_length=200, verbose_name="last error")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
                ("claimed_at", models.DateTimeField(blank=True, null=True, verbose_name="last attempt at")),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="next attempt at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "comment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="comments.comment",
                        verbose_name="comment",
                    ),
                ),
            ],
            options={
                "verbose_name": "e-mail notification",
                "verbose_name_plural": "e-mail notifications",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["state", "-created_at"], name="notification_state")],
                "constraints": [
                    models.UniqueConstraint(fields=("comment", "kind"), name="notification_once_per_comment")
                ],
            },
        ),
        migrations.RunPython(notified_replies_to_outbox, outbox_to_notified_replies, elidable=True),
        migrations.RemoveField(
            model_name="comment",
            name="reply_notified",
        ),
    ]
