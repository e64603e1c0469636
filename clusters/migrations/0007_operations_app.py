"""Operation and Plan move to the operations app: their tables are renamed, the rows kept.

State: they leave this app (operations/0001 takes them in, with no database change).
The permissions operate_cluster / administer_cluster move from Operation's Meta to
Cluster's, keeping their "clusters." names.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0006_operation_revert_patch"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="cluster",
            options={
                "ordering": ["name"],
                "permissions": [
                    ("operate_cluster", "Can run runtime actions (standby, move, cleanup...)"),
                    ("administer_cluster", "Can change cluster configuration"),
                ],
            },
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="operation", table="operations_operation"),
                migrations.AlterModelTable(name="plan", table="operations_plan"),
            ],
            state_operations=[
                migrations.RemoveField(model_name="operation", name="plan"),
                migrations.DeleteModel(name="Plan"),
                migrations.DeleteModel(name="Operation"),
            ],
        ),
    ]
