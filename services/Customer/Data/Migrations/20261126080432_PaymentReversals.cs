using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Customer.Data.Migrations
{
    /// <inheritdoc />
    public partial class PaymentReversals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_payment_facts",
                table: "payment_facts");

            migrationBuilder.DropIndex(
                name: "ix_loyalty_entries_customer_id_kind_source_id",
                table: "loyalty_entries");

            migrationBuilder.AddColumn<int>(
                name: "generation",
                table: "payment_facts",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "reversed_at",
                table: "payment_facts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "generation",
                table: "loyalty_entries",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddPrimaryKey(
                name: "pk_payment_facts",
                table: "payment_facts",
                columns: new[] { "payment_id", "generation" });

            migrationBuilder.CreateTable(
                name: "payment_reversals",
                columns: table => new
                {
                    payment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    generation = table.Column<int>(type: "integer", nullable: false),
                    customer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    reason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    reversed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payment_reversals", x => new { x.payment_id, x.generation });
                });

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_customer_id_kind_source_id_generation",
                table: "loyalty_entries",
                columns: new[] { "customer_id", "kind", "source_id", "generation" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "payment_reversals");

            migrationBuilder.DropPrimaryKey(
                name: "pk_payment_facts",
                table: "payment_facts");

            migrationBuilder.DropIndex(
                name: "ix_loyalty_entries_customer_id_kind_source_id_generation",
                table: "loyalty_entries");

            migrationBuilder.DropColumn(
                name: "generation",
                table: "payment_facts");

            migrationBuilder.DropColumn(
                name: "reversed_at",
                table: "payment_facts");

            migrationBuilder.DropColumn(
                name: "generation",
                table: "loyalty_entries");

            migrationBuilder.AddPrimaryKey(
                name: "pk_payment_facts",
                table: "payment_facts",
                column: "payment_id");

            migrationBuilder.CreateIndex(
                name: "ix_loyalty_entries_customer_id_kind_source_id",
                table: "loyalty_entries",
                columns: new[] { "customer_id", "kind", "source_id" },
                unique: true);
        }
    }
}
