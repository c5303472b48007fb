using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Billing.Data.Migrations
{
    /// <inheritdoc />
    public partial class RefundContracts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "contract_id",
                table: "refunds",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "contract_id",
                table: "receipts",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_receipts_contract_id",
                table: "receipts",
                column: "contract_id",
                filter: "contract_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_receipts_contract_id",
                table: "receipts");

            migrationBuilder.DropColumn(
                name: "contract_id",
                table: "refunds");

            migrationBuilder.DropColumn(
                name: "contract_id",
                table: "receipts");
        }
    }
}
