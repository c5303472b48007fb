using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Payment.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContractActionRetries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_collection_contract_actions_created_at",
                table: "collection_contract_actions");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "next_attempt_at",
                table: "collection_contract_actions",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.CreateIndex(
                name: "ix_collection_contract_actions_next_attempt_at",
                table: "collection_contract_actions",
                column: "next_attempt_at",
                filter: "done_at IS NULL AND cancelled_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_collection_contract_actions_next_attempt_at",
                table: "collection_contract_actions");

            migrationBuilder.DropColumn(
                name: "next_attempt_at",
                table: "collection_contract_actions");

            migrationBuilder.CreateIndex(
                name: "ix_collection_contract_actions_created_at",
                table: "collection_contract_actions",
                column: "created_at",
                filter: "done_at IS NULL AND cancelled_at IS NULL");
        }
    }
}
