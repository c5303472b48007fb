using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Payment.Data.Migrations
{
    /// <inheritdoc />
    public partial class Recording : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "virtual_account_serials");

            migrationBuilder.AddColumn<string>(
                name: "authorization_code",
                table: "payments",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "card_last4",
                table: "payments",
                type: "character varying(4)",
                maxLength: 4,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "cheque_number",
                table: "payments",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "drawer_bank",
                table: "payments",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "failure_reason",
                table: "payments",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "payer_account_protected",
                table: "payments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "payer_name_protected",
                table: "payments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "virtual_account_number",
                table: "payments",
                type: "character varying(34)",
                maxLength: 34,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "wallet_transaction_id",
                table: "payments",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "payment_work_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    payment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: true),
                    invoice_id = table.Column<Guid>(type: "uuid", nullable: true),
                    amount = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    summary = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    owner = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    resolved_by = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    resolution_note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payment_work_items", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "virtual_accounts",
                columns: table => new
                {
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<string>(type: "character varying(34)", maxLength: 34, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_virtual_accounts", x => x.customer_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_payments_customer_id_id",
                table: "payments",
                columns: new[] { "customer_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_payment_work_items_kind_payment_id_invoice_id",
                table: "payment_work_items",
                columns: new[] { "kind", "payment_id", "invoice_id" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_payment_work_items_open_queue",
                table: "payment_work_items",
                columns: new[] { "created_at", "id" },
                filter: "resolved_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_virtual_accounts_number",
                table: "virtual_accounts",
                column: "number",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "payment_work_items");

            migrationBuilder.DropTable(
                name: "virtual_accounts");

            migrationBuilder.DropIndex(
                name: "ix_payments_customer_id_id",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "authorization_code",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "card_last4",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "cheque_number",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "drawer_bank",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "failure_reason",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "payer_account_protected",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "payer_name_protected",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "virtual_account_number",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "wallet_transaction_id",
                table: "payments");

            migrationBuilder.DropSequence(
                name: "virtual_account_serials");
        }
    }
}
