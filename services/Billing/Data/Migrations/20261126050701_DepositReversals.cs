using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Billing.Data.Migrations
{
    /// <inheritdoc />
    public partial class DepositReversals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_receipts_payment_id",
                table: "receipts");

            migrationBuilder.AddColumn<int>(
                name: "generation",
                table: "receipts",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "reversal_reason",
                table: "receipts",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "reversed_at",
                table: "receipts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "deposit_reversals",
                columns: table => new
                {
                    payment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    generation = table.Column<int>(type: "integer", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(19,4)", nullable: false),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    detail = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    transfer_id = table.Column<Guid>(type: "uuid", nullable: true),
                    receipt_id = table.Column<Guid>(type: "uuid", nullable: true),
                    owed = table.Column<decimal>(type: "numeric(19,4)", nullable: false),
                    invoice_id = table.Column<Guid>(type: "uuid", nullable: true),
                    reversed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deposit_reversals", x => new { x.payment_id, x.generation });
                });

            migrationBuilder.CreateIndex(
                name: "ix_receipts_payment_id_generation",
                table: "receipts",
                columns: new[] { "payment_id", "generation" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deposit_reversals_customer_id",
                table: "deposit_reversals",
                column: "customer_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deposit_reversals");

            migrationBuilder.DropIndex(
                name: "ix_receipts_payment_id_generation",
                table: "receipts");

            migrationBuilder.DropColumn(
                name: "generation",
                table: "receipts");

            migrationBuilder.DropColumn(
                name: "reversal_reason",
                table: "receipts");

            migrationBuilder.DropColumn(
                name: "reversed_at",
                table: "receipts");

            migrationBuilder.CreateIndex(
                name: "ix_receipts_payment_id",
                table: "receipts",
                column: "payment_id",
                unique: true);
        }
    }
}
