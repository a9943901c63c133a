-- AlterTable
ALTER TABLE "Job" ADD COLUMN "productMediaId" TEXT;
