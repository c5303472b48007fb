using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Customer.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomerProfiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_customers_owner_id",
                table: "customers");

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.AlterColumn<string>(
                name: "value_tier",
                table: "customers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Unrated",
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20);

            migrationBuilder.AlterColumn<string>(
                name: "intent_grade",
                table: "customers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Ungraded",
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20);

            migrationBuilder.AddColumn<string>(
                name: "acquisition_channel",
                table: "customers",
                type: "character varying(30)",
                maxLength: 30,
                nullable: false,
                defaultValue: "Unspecified");

            migrationBuilder.AddColumn<string>(
                name: "address",
                table: "customers",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "birthday",
                table: "customers",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "budget_currency",
                table: "customers",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "budget_max",
                table: "customers",
                type: "numeric(19,4)",
                precision: 19,
                scale: 4,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "budget_min",
                table: "customers",
                type: "numeric(19,4)",
                precision: 19,
                scale: 4,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "custom_attributes",
                table: "customers",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'{}'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "decision_process_notes",
                table: "customers",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "erased_at",
                table: "customers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "erasure_reason",
                table: "customers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "family_status",
                table: "customers",
                type: "character varying(30)",
                maxLength: 30,
                nullable: false,
                defaultValue: "Unspecified");

            migrationBuilder.AddColumn<string>(
                name: "gender",
                table: "customers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Unspecified");

            migrationBuilder.AddColumn<string>(
                name: "identity_cipher",
                table: "customers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "identity_index",
                table: "customers",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "merged_into_id",
                table: "customers",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "need_type",
                table: "customers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Unspecified");

            migrationBuilder.AddColumn<string>(
                name: "occupation",
                table: "customers",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "tags",
                table: "customers",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "updated_at",
                table: "customers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "customer_consents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    purpose = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    granted = table.Column<bool>(type: "boolean", nullable: false),
                    source = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    recorded_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_consents", x => x.id);
                    table.ForeignKey(
                        name: "fk_customer_consents_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "customer_contacts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    role = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    phone_cipher = table.Column<string>(type: "text", nullable: true),
                    email_cipher = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_contacts", x => x.id);
                    table.ForeignKey(
                        name: "fk_customer_contacts_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_customers_acquisition_channel_id",
                table: "customers",
                columns: new[] { "acquisition_channel", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_display_name_trgm",
                table: "customers",
                column: "display_name")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_identity_index",
                table: "customers",
                column: "identity_index",
                filter: "identity_index IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_customers_industry_id",
                table: "customers",
                columns: new[] { "industry", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_intent_grade_id",
                table: "customers",
                columns: new[] { "intent_grade", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_merged_into_id",
                table: "customers",
                column: "merged_into_id",
                filter: "merged_into_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_customers_need_type_id",
                table: "customers",
                columns: new[] { "need_type", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_owner_id_id",
                table: "customers",
                columns: new[] { "owner_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_stage_id",
                table: "customers",
                columns: new[] { "stage", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_tags",
                table: "customers",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_customers_value_tier_id",
                table: "customers",
                columns: new[] { "value_tier", "id" });

            // Hand-written (EF cannot model it; keep it when regenerating): multi-column statistics so the planner knows
            // which combinations of segment filters are rare or absent, and reads them through their (column, id)
            // index instead of walking the primary key backwards through every customer.
            migrationBuilder.Sql("CREATE STATISTICS IF NOT EXISTS st_customers_segments (mcv, dependencies) ON stage, value_tier, intent_grade, industry, need_type, acquisition_channel FROM customers;");

            migrationBuilder.CreateIndex(
                name: "ix_customer_consents_customer_id_purpose_changed_at",
                table: "customer_consents",
                columns: new[] { "customer_id", "purpose", "changed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_customer_contacts_customer_id_role",
                table: "customer_contacts",
                columns: new[] { "customer_id", "role" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP STATISTICS IF EXISTS st_customers_segments;");

            migrationBuilder.DropTable(
                name: "customer_consents");

            migrationBuilder.DropTable(
                name: "customer_contacts");

            migrationBuilder.DropIndex(
                name: "ix_customers_acquisition_channel_id",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_display_name_trgm",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_identity_index",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_industry_id",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_intent_grade_id",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_merged_into_id",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_need_type_id",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_owner_id_id",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_stage_id",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_tags",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_value_tier_id",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "acquisition_channel",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "address",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "birthday",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "budget_currency",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "budget_max",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "budget_min",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "custom_attributes",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "decision_process_notes",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "erased_at",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "erasure_reason",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "family_status",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "gender",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "identity_cipher",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "identity_index",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "merged_into_id",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "need_type",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "occupation",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "tags",
                table: "customers");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "customers");

            migrationBuilder.AlterDatabase()
                .OldAnnotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.AlterColumn<string>(
                name: "value_tier",
                table: "customers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20,
                oldDefaultValue: "Unrated");

            migrationBuilder.AlterColumn<string>(
                name: "intent_grade",
                table: "customers",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20,
                oldDefaultValue: "Ungraded");

            migrationBuilder.CreateIndex(
                name: "ix_customers_owner_id",
                table: "customers",
                column: "owner_id");
        }
    }
}
