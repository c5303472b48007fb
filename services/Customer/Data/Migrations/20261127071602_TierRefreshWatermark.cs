using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Customer.Data.Migrations
{
    /// <inheritdoc />
    public partial class TierRefreshWatermark : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "tier_computed_at",
                table: "customer_activity",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_refund_facts_paid_at",
                table: "refund_facts",
                column: "paid_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_refund_facts_paid_at",
                table: "refund_facts");

            migrationBuilder.DropColumn(
                name: "tier_computed_at",
                table: "customer_activity");
        }
    }
}
