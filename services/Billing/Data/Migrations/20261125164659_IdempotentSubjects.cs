using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Billing.Data.Migrations
{
    /// <inheritdoc />
    public partial class IdempotentSubjects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "erased_at",
                table: "idempotent_requests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "subjects",
                table: "idempotent_requests",
                type: "text[]",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_idempotent_requests_subjects",
                table: "idempotent_requests",
                column: "subjects",
                filter: "subjects IS NOT NULL")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_idempotent_requests_subjects",
                table: "idempotent_requests");

            migrationBuilder.DropColumn(
                name: "erased_at",
                table: "idempotent_requests");

            migrationBuilder.DropColumn(
                name: "subjects",
                table: "idempotent_requests");
        }
    }
}
