-- AlterTable
ALTER TABLE "Job" ADD COLUMN "publishedAt" DATETIME;
