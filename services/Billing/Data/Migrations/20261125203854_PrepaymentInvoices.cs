using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Billing.Data.Migrations
{
    /// <inheritdoc />
    public partial class PrepaymentInvoices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "prepayment",
                table: "invoices",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Invoices drafted before the flag existed: a prepaid contract's prepayment invoice was described this way.
            migrationBuilder.Sql("UPDATE invoices SET prepayment = true WHERE description = 'prepayment of the contract'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "prepayment",
                table: "invoices");
        }
    }
}
