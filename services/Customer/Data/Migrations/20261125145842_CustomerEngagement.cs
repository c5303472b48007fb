using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Customer.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomerEngagement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cadence_policies",
                columns: table => new
                {
                    grade = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    interval_days = table.Column<int>(type: "integer", nullable: false),
                    channels = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cadence_policies", x => x.grade);
                });

            migrationBuilder.CreateTable(
                name: "customer_activity",
                columns: table => new
                {
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    last_activity_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_contract_signed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_positive_balance_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_activity", x => x.customer_id);
                });

            migrationBuilder.CreateTable(
                name: "follow_up_tasks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    grade = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    channel = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    overdue_raised_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_follow_up_tasks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "intent_grade_changes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    to = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    changed_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_intent_grade_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "interactions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    task_id = table.Column<Guid>(type: "uuid", nullable: true),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    outcome = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    recorded_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_interactions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "lifecycle_changes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    to = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    reason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lifecycle_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "loyalty_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    points = table.Column<long>(type: "bigint", nullable: false),
                    source_id = table.Column<Guid>(type: "uuid", nullable: false),
                    payment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_loyalty_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "opportunities",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    stage = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    expected_close_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    probability = table.Column<int>(type: "integer", nullable: false),
                    lost_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_opportunities", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "opportunity_stage_changes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    to = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    changed_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_opportunity_stage_changes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "payment_facts",
                columns: table => new
                {
                    payment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payment_facts", x => x.payment_id);
                });

            migrationBuilder.CreateTable(
                name: "referrals",
                columns: table => new
                {
                    referred_customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    referrer_customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    rewarded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_referrals", x => x.referred_customer_id);
                });

            migrationBuilder.CreateTable(
                name: "refund_facts",
                columns: table => new
                {
                    refund_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    payment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    amount = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    paid_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_refund_facts", x => x.refund_id);
                });

            migrationBuilder.CreateTable(
                name: "survey_answers",
                columns: table => new
                {
                    complaint_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    score = table.Column<int>(type: "integer", nullable: false),
                    answered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_survey_answers", x => x.complaint_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_follow_up_tasks_customer_id_due_at_id",
                table: "follow_up_tasks",
                columns: new[] { "customer_id", "due_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_follow_up_tasks_one_open",
                table: "follow_up_tasks",
                column: "customer_id",
                unique: true,
                filter: "state = 'Open'");

            migrationBuilder.CreateIndex(
                name: "ix_follow_up_tasks_overdue_watch",
                table: "follow_up_tasks",
                column: "due_at",
                filter: "state = 'Open' AND overdue_raised_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_follow_up_tasks_owner_id_due_at_id",
                table: "follow_up_tasks",
                columns: new[] { "owner_id", "due_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_intent_grade_changes_customer_id_changed_at",
                table: "intent_grade_changes",
                columns: new[] { "customer_id", "changed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_interactions_customer_id_occurred_at_id",
                table: "interactions",
                columns: new[] { "customer_id", "occurred_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_lifecycle_changes_customer_id_occurred_at",
                table: "lifecycle_changes",
                columns: new[] { "customer_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_lifecycle_changes_occurred_at",
                table: "lifecycle_changes",
                column: "occurred_at");

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_customer_id_id",
                table: "loyalty_entries",
                columns: new[] { "customer_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_customer_id_kind_source_id",
                table: "loyalty_entries",
                columns: new[] { "customer_id", "kind", "source_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_payment_id",
                table: "loyalty_entries",
                column: "payment_id");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_owner_id_id",
                table: "opportunities",
                columns: new[] { "owner_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_stage_owner_id_id",
                table: "opportunities",
                columns: new[] { "stage", "owner_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunity_stage_changes_opportunity_id",
                table: "opportunity_stage_changes",
                column: "opportunity_id");

            migrationBuilder.CreateIndex(
                name: "ix_payment_facts_customer_id_received_at",
                table: "payment_facts",
                columns: new[] { "customer_id", "received_at" });

            migrationBuilder.CreateIndex(
                name: "ix_payment_facts_received_at",
                table: "payment_facts",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_referrals_referrer_customer_id",
                table: "referrals",
                column: "referrer_customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_refund_facts_customer_id_paid_at",
                table: "refund_facts",
                columns: new[] { "customer_id", "paid_at" });

            migrationBuilder.CreateIndex(
                name: "ix_survey_answers_answered_at",
                table: "survey_answers",
                column: "answered_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cadence_policies");

            migrationBuilder.DropTable(
                name: "customer_activity");

            migrationBuilder.DropTable(
                name: "follow_up_tasks");

            migrationBuilder.DropTable(
                name: "intent_grade_changes");

            migrationBuilder.DropTable(
                name: "interactions");

            migrationBuilder.DropTable(
                name: "lifecycle_changes");

            migrationBuilder.DropTable(
                name: "loyalty_entries");

            migrationBuilder.DropTable(
                name: "opportunities");

            migrationBuilder.DropTable(
                name: "opportunity_stage_changes");

            migrationBuilder.DropTable(
                name: "payment_facts");

            migrationBuilder.DropTable(
                name: "referrals");

            migrationBuilder.DropTable(
                name: "refund_facts");

            migrationBuilder.DropTable(
                name: "survey_answers");
        }
    }
}
