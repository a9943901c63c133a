-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "publishedAt" TIMESTAMP(3);
