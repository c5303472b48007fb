using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Payment.Data.Migrations
{
    /// <inheritdoc />
    public partial class PayoutNextCheck : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_refund_payouts_state_created_at",
                table: "refund_payouts");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "next_check_at",
                table: "refund_payouts",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.CreateIndex(
                name: "ix_refund_payouts_next_check_at",
                table: "refund_payouts",
                column: "next_check_at",
                filter: "state IN ('Requested', 'Submitted')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_refund_payouts_next_check_at",
                table: "refund_payouts");

            migrationBuilder.DropColumn(
                name: "next_check_at",
                table: "refund_payouts");

            migrationBuilder.CreateIndex(
                name: "ix_refund_payouts_state_created_at",
                table: "refund_payouts",
                columns: new[] { "state", "created_at" });
        }
    }
}
