using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Platform.Customer.Data.Migrations
{
    /// <inheritdoc />
    public partial class ErasureAndImportReplay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "import_batches",
                columns: table => new
                {
                    request_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    rows_through = table.Column<int>(type: "integer", nullable: false),
                    fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    results = table.Column<byte[]>(type: "bytea", nullable: false),
                    done = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_import_batches", x => new { x.request_id, x.number });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "import_batches");
        }
    }
}
