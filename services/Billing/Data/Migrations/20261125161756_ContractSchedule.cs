using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Billing.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContractSchedule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "penalty_for",
                table: "invoices",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_invoices_contract_id_installment_sequence",
                table: "invoices",
                columns: new[] { "contract_id", "installment_sequence" },
                unique: true,
                filter: "installment_sequence > 0");

            migrationBuilder.CreateIndex(
                name: "ix_invoices_penalty_for",
                table: "invoices",
                column: "penalty_for",
                unique: true,
                filter: "penalty_for IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_invoices_contract_id_installment_sequence",
                table: "invoices");

            migrationBuilder.DropIndex(
                name: "ix_invoices_penalty_for",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "penalty_for",
                table: "invoices");
        }
    }
}
