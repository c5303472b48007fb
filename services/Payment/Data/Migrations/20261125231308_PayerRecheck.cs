using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Payment.Data.Migrations
{
    /// <inheritdoc />
    public partial class PayerRecheck : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "payer_unverified",
                table: "payments",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "ix_payments_payer_unverified",
                table: "payments",
                column: "payer_unverified",
                filter: "payer_unverified");

            // Payments recorded unverified before the flag existed carry it in their audit entry only.
            migrationBuilder.Sql("""
                UPDATE payments p SET payer_unverified = true
                FROM audit_trail a
                WHERE a.action = 'payment.recorded' AND a.subject = 'payments/' || p.id::text
                  AND (a.details ->> 'payerUnverified') = 'true'
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_payments_payer_unverified",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "payer_unverified",
                table: "payments");
        }
    }
}
